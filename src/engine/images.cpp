#include "engine/images.hpp"

#include <algorithm>
#include <set>

#include "engine/humanize.hpp"
#include "engine/table.hpp"
#include "engine/template.hpp"
#include "util/error.hpp"

namespace roost::engine {

int64_t image_created_unix(const store::ImageRecord& image) {
  if (auto t = parse_rfc3339(image.created)) return *t;
  if (auto t = parse_rfc3339(image.stored_at)) return *t;
  return 0;
}

std::pair<std::string, std::string> split_name(const std::string& name) {
  const size_t at = name.find('@');
  const std::string base = name.substr(0, at);
  const size_t slash = base.rfind('/');
  const size_t colon = base.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return {base, "<none>"};
  return {base.substr(0, colon), base.substr(colon + 1)};
}

namespace {

std::string rfc3339_of(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string shown_id(const store::ImageRecord& img, bool no_trunc) {
  return no_trunc ? img.id.str() : img.id.hex.substr(0, 12);
}

nlohmann::ordered_json image_json(const store::ImageRecord& img, const nlohmann::json& labels) {
  nlohmann::ordered_json j;
  j["Id"] = img.id.hex;
  j["ParentId"] = "";
  j["RepoTags"] = img.names;
  j["RepoDigests"] = img.repo_digests;
  j["Size"] = img.size;
  j["SharedSize"] = 0;
  j["VirtualSize"] = img.size;
  j["Labels"] = labels;
  j["Containers"] = 0;  // roost has no containers yet (issue 13)
  j["Names"] = img.names;
  j["Digest"] = img.manifest_digest.str();
  j["History"] = img.names;
  j["Created"] = image_created_unix(img);
  j["CreatedAt"] = rfc3339_of(image_created_unix(img));
  return j;
}

}  // namespace

std::string format_images(std::vector<store::ImageRecord> images, const ImagesOptions& options, int64_t now,
                          const std::function<nlohmann::json(const store::ImageRecord&)>& labels) {
  std::stable_sort(images.begin(), images.end(), [](const auto& a, const auto& b) {
    return image_created_unix(a) > image_created_unix(b);
  });
  if (options.quiet) {
    std::string out;
    std::set<std::string> seen;
    for (const auto& img : images)
      if (seen.insert(img.id.hex).second) out += shown_id(img, options.no_trunc) + "\n";
    return out;
  }
  if (options.format == "json") {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& img : images) arr.push_back(image_json(img, labels ? labels(img) : nlohmann::json()));
    return arr.dump(4) + "\n";
  }
  // One row per name (an image without one is a `<none>` row).
  struct Row {
    const store::ImageRecord* img;
    std::string repo, tag;
  };
  std::vector<Row> rows;
  for (const auto& img : images) {
    if (img.names.empty()) rows.push_back({&img, "<none>", "<none>"});
    for (const auto& name : img.names) {
      auto [repo, tag] = split_name(name);
      rows.push_back({&img, repo, tag});
    }
  }
  if (!options.format.empty()) {
    if (options.format.starts_with("table"))
      throw Error("--format: table formats are not supported (a template without \"table\", or json)");
    Template tmpl(options.format);
    std::string out;
    for (const auto& r : rows) {
      const int64_t created = image_created_unix(*r.img);
      nlohmann::json v = {{"ID", shown_id(*r.img, options.no_trunc)},
                          {"Id", r.img->id.hex},
                          {"Repository", r.repo},
                          {"Tag", r.tag},
                          {"Digest", r.img->manifest_digest.str()},
                          {"Created", ago(now - created)},
                          {"CreatedSince", ago(now - created)},
                          {"CreatedAt", rfc3339_of(created)},
                          {"Size", image_size(r.img->size)},
                          {"Names", r.img->names},
                          {"RepoDigests", r.img->repo_digests}};
      out += tmpl.render(v);
    }
    return out;
  }
  std::vector<std::vector<std::string>> table;
  if (options.digests)
    table.push_back({"REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"});
  else
    table.push_back({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
  for (const auto& r : rows) {
    std::vector<std::string> row{r.repo, r.tag};
    if (options.digests) row.push_back(r.img->manifest_digest.str());
    row.push_back(shown_id(*r.img, options.no_trunc));
    row.push_back(ago(now - image_created_unix(*r.img)));
    row.push_back(image_size(r.img->size));
    table.push_back(std::move(row));
  }
  return format_table(table);
}

}  // namespace roost::engine
