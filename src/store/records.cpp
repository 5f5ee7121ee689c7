#include "store/records.hpp"

#include <time.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace roost::store {
namespace {

using nlohmann::json;
constexpr int kRecordVersion = 1;

template <typename T>
T field(const json& j, const char* name, const std::string& where) {
  auto it = j.find(name);
  if (it == j.end()) throw Error(where + ": no \"" + name + "\" field");
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw Error(where + ": \"" + name + "\" has the wrong type");
  }
}

image::Digest digest_field(const json& j, const char* name, const std::string& where) {
  std::string text = field<std::string>(j, name, where);
  try {
    return image::Digest::parse(text);
  } catch (const Error& e) {
    throw Error(where + ": \"" + name + "\": " + e.what());
  }
}

std::optional<image::Digest> optional_digest(const json& j, const char* name, const std::string& where) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return digest_field(j, name, where);
}

json parse(const std::string& text, const std::string& where) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error(where + ": not a JSON object");
  if (j.value("version", 0) != kRecordVersion)
    throw Error(where + ": record version " + std::to_string(j.value("version", 0)) + ", this roost reads " +
                std::to_string(kRecordVersion));
  return j;
}

}  // namespace

std::string layer_record_json(const LayerRecord& r) {
  json j = {{"version", kRecordVersion},
            {"chain_id", r.chain_id.str()},
            {"diff_id", r.diff_id.str()},
            {"parent", r.parent ? json(r.parent->str()) : json(nullptr)},
            {"diff_size", r.diff_size},
            {"apparent_bytes", r.apparent_bytes},
            {"allocated_bytes", r.allocated_bytes},
            {"inodes", r.inodes},
            {"compressed_digest", r.compressed_digest ? json(r.compressed_digest->str()) : json(nullptr)},
            {"compressed_size", r.compressed_size},
            {"created", r.created}};
  return j.dump() + "\n";
}

LayerRecord parse_layer_record(const std::string& text, const std::string& where) {
  json j = parse(text, where);
  LayerRecord r;
  r.chain_id = digest_field(j, "chain_id", where);
  r.diff_id = digest_field(j, "diff_id", where);
  r.parent = optional_digest(j, "parent", where);
  r.diff_size = field<int64_t>(j, "diff_size", where);
  r.apparent_bytes = field<int64_t>(j, "apparent_bytes", where);
  r.allocated_bytes = field<int64_t>(j, "allocated_bytes", where);
  r.inodes = field<int64_t>(j, "inodes", where);
  r.compressed_digest = optional_digest(j, "compressed_digest", where);
  r.compressed_size = field<int64_t>(j, "compressed_size", where);
  r.created = field<std::string>(j, "created", where);
  return r;
}

std::string image_record_json(const ImageRecord& r) {
  json layers = json::array();
  for (const auto& l : r.layers) layers.push_back(l.str());
  json j = {{"version", kRecordVersion},
            {"id", r.id.str()},
            {"names", r.names},
            {"repo_digests", r.repo_digests},
            {"manifest_digest", r.manifest_digest.str()},
            {"manifest_media_type", r.manifest_media_type},
            {"layers", layers},
            {"created", r.created},
            {"stored_at", r.stored_at},
            {"size", r.size}};
  return j.dump() + "\n";
}

ImageRecord parse_image_record(const std::string& text, const std::string& where) {
  json j = parse(text, where);
  ImageRecord r;
  r.id = digest_field(j, "id", where);
  r.names = field<std::vector<std::string>>(j, "names", where);
  r.repo_digests = field<std::vector<std::string>>(j, "repo_digests", where);
  r.manifest_digest = digest_field(j, "manifest_digest", where);
  r.manifest_media_type = field<std::string>(j, "manifest_media_type", where);
  for (const auto& l : field<std::vector<std::string>>(j, "layers", where)) {
    try {
      r.layers.push_back(image::Digest::parse(l));
    } catch (const Error& e) {
      throw Error(where + ": \"layers\": " + e.what());
    }
  }
  r.created = field<std::string>(j, "created", where);
  r.stored_at = field<std::string>(j, "stored_at", where);
  r.size = field<int64_t>(j, "size", where);
  return r;
}


}  // namespace roost::store
