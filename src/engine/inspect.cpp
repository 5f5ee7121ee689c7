#include "engine/inspect.hpp"

#include "image/image_config.hpp"
#include "store/overlay_probe.hpp"
#include "image/manifest.hpp"

namespace roost::engine {
namespace {

std::string string_or_empty(const nlohmann::json& obj, const char* key) {
  if (obj.is_object() && obj.contains(key) && obj[key].is_string()) return obj[key].get<std::string>();
  return "";
}

}  // namespace

nlohmann::ordered_json inspect_json(const store::ImageRecord& image, const std::string& manifest_bytes,
                                    const std::string& config_bytes, const GraphDriverInfo& driver) {
  const image::ImageConfig config = image::parse_image_config(config_bytes);
  const image::Manifest manifest = image::parse_manifest(manifest_bytes, image.manifest_media_type);
  const nlohmann::json& doc = config.document;
  nlohmann::ordered_json j;
  j["Id"] = image.id.hex;
  j["Digest"] = image.manifest_digest.str();
  j["RepoTags"] = image.names;
  j["RepoDigests"] = image.repo_digests;
  j["Parent"] = "";
  j["Comment"] = string_or_empty(doc, "comment");
  j["Created"] = config.created.empty() ? image.stored_at : config.created;
  j["Config"] = config.config.is_object() ? config.config : nlohmann::json::object();
  j["Version"] = string_or_empty(doc, "docker_version");
  j["Author"] = config.author;
  j["Architecture"] = config.platform.architecture;
  if (!config.platform.variant.empty()) j["Variant"] = config.platform.variant;
  j["Os"] = config.platform.os;
  j["Size"] = image.size;
  j["VirtualSize"] = image.size;
  // As podman's overlay driver shows an image: the top layer is UpperDir, the others LowerDir
  // (top first, colon-separated), the order overlayfs stacks them in.
  nlohmann::ordered_json data = nullptr;
  if (!driver.diff_dirs.empty()) {
    data = nlohmann::ordered_json::object();
    std::string lower;
    for (size_t i = driver.diff_dirs.size() - 1; i-- > 0;) lower += (lower.empty() ? "" : ":") + driver.diff_dirs[i];
    if (!lower.empty()) data["LowerDir"] = lower;
    data["UpperDir"] = driver.diff_dirs.back();
  }
  j["GraphDriver"] = {{"Name", driver.name}, {"Data", data}};
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const auto& d : config.diff_ids) layers.push_back(d.str());
  j["RootFS"] = {{"Type", "layers"}, {"Layers", layers}};
  j["Labels"] = config.config.is_object() && config.config.contains("Labels") ? config.config["Labels"] : nullptr;
  nlohmann::ordered_json annotations = nlohmann::ordered_json::object();
  for (const auto& [k, v] : manifest.annotations) annotations[k] = v;
  j["Annotations"] = annotations;
  j["ManifestType"] = image.manifest_media_type.empty() ? manifest.media_type : image.manifest_media_type;
  j["User"] = string_or_empty(config.config, "User");
  j["History"] = config.history.is_array() ? config.history : nlohmann::json::array();
  j["NamesHistory"] = image.names;
  return j;
}

std::string inspect_output(const std::vector<nlohmann::ordered_json>& items) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& i : items) arr.push_back(i);
  return arr.dump(5) + "\n";
}

nlohmann::ordered_json inspect_image(const store::Store& store, const store::ImageRecord& image) {
  GraphDriverInfo driver;
  driver.name = store::driver_name(store::probe_overlay(store.paths()).driver);
  for (const auto& layer : image.layers) driver.diff_dirs.push_back(store.layer_diff_path(layer).string());
  return inspect_json(image, store.image_manifest(image.id), store.image_config(image.id), driver);
}

}  // namespace roost::engine
