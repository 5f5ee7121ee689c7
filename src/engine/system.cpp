#include "engine/system.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "engine/humanize.hpp"
#include "engine/table.hpp"

namespace roost::engine {
namespace {

std::string with_percent(int64_t part, int64_t whole) {
  const int64_t pct = whole > 0 ? (part * 100 + whole / 2) / whole : 0;
  return df_size(part) + " (" + std::to_string(pct) + "%)";
}

}  // namespace

std::string format_df(const store::Usage& usage, const std::string& format) {
  struct Row {
    const char* type;
    int64_t total, active, size, reclaimable;
  };
  // No containers or volumes exist yet (issue 13): their rows are zero, as podman prints them then.
  const Row rows[] = {{"Images", usage.images, 0, usage.layer_bytes, usage.reclaimable_bytes},
                      {"Containers", 0, 0, 0, 0},
                      {"Local Volumes", 0, 0, 0, 0}};
  if (format == "json") {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& r : rows)
      arr.push_back({{"Type", r.type}, {"Total", r.total}, {"Active", r.active}, {"RawSize", r.size},
                     {"RawReclaimable", r.reclaimable}, {"TotalCount", r.total}, {"Size", df_size(r.size)},
                     {"Reclaimable", with_percent(r.reclaimable, r.size)}});
    return arr.dump(4) + "\n";
  }
  std::vector<std::vector<std::string>> table{{"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"}};
  for (const auto& r : rows)
    table.push_back({r.type, std::to_string(r.total), std::to_string(r.active), df_size(r.size),
                     with_percent(r.reclaimable, r.size)});
  return format_table(table);
}

PruneResult prune_images(store::Store& store, bool all) {
  PruneResult result;
  // The layers' sizes before they go: what was reclaimed is the sum over the layers removed.
  std::map<image::Digest, int64_t> allocated;
  for (const auto& l : store.layers()) allocated[l.chain_id] = l.allocated_bytes;
  auto count = [&](const std::vector<image::Digest>& removed) {
    for (const auto& d : removed) result.reclaimed_bytes += allocated[d];
  };
  for (const auto& img : store.images()) {
    if (!all && !img.names.empty()) continue;
    for (const auto& n : img.names) store.untag(n);
    count(store.remove_image(img.id));
    result.deleted.push_back(img.id.hex);
  }
  count(store.remove_unused_layers());
  return result;
}

std::string format_prune(const PruneResult& result) {
  std::string out;
  if (!result.deleted.empty()) {
    out += "Deleted Images\n";
    for (const auto& id : result.deleted) out += id + "\n";
  }
  out += "Total reclaimed space: " + df_size(result.reclaimed_bytes) + "\n";
  return out;
}

}  // namespace roost::engine
