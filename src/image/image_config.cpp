// Image configs: the store needs the DiffIDs (they name the layers) and the platform; the rest
// is kept as parsed JSON for `image inspect` and for the engine to build a runtime spec from.
#include "image/image_config.hpp"

#include "util/error.hpp"

namespace roost::image {

namespace {

using nlohmann::json;

std::string optional_string(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return {};
  if (!it->is_string()) throw Error(std::string("image config: \"") + key + "\" is not a string");
  return it->get<std::string>();
}

}  // namespace

ImageConfig parse_image_config(std::string bytes) {
  if (bytes.size() > kMaxConfigBytes)
    throw Error("image config: " + std::to_string(bytes.size()) + " bytes, more than the limit of " +
                std::to_string(kMaxConfigBytes));
  ImageConfig out;
  try {
    out.document = json::parse(bytes);
  } catch (const json::exception& e) {
    throw Error(std::string("image config: invalid JSON: ") + e.what());
  }
  const json& doc = out.document;
  if (!doc.is_object()) throw Error("image config: not a JSON object");

  out.created = optional_string(doc, "created");
  out.author = optional_string(doc, "author");
  out.platform.os = optional_string(doc, "os");
  out.platform.architecture = optional_string(doc, "architecture");
  out.platform.variant = optional_string(doc, "variant");
  out.platform.os_version = optional_string(doc, "os.version");
  if (auto f = doc.find("os.features"); f != doc.end() && f->is_array())
    for (const json& v : *f)
      if (v.is_string()) out.platform.os_features.push_back(v.get<std::string>());

  auto rootfs = doc.find("rootfs");
  if (rootfs == doc.end() || !rootfs->is_object()) throw Error("image config: \"rootfs\" is missing");
  auto type = rootfs->find("type");
  if (type == rootfs->end() || !type->is_string() || type->get<std::string>() != "layers")
    throw Error("image config: rootfs.type is not \"layers\"");
  auto diff_ids = rootfs->find("diff_ids");
  if (diff_ids == rootfs->end() || !diff_ids->is_array()) throw Error("image config: rootfs.diff_ids is missing");
  for (size_t i = 0; i < diff_ids->size(); ++i) {
    const json& d = (*diff_ids)[i];
    if (!d.is_string() || !Digest::valid(d.get<std::string>()))
      throw Error("image config: rootfs.diff_ids[" + std::to_string(i) + "] is not a digest");
    out.diff_ids.push_back(Digest::parse(d.get<std::string>()));
  }

  auto config = doc.find("config");
  if (config != doc.end() && !config->is_null()) {
    if (!config->is_object()) throw Error("image config: \"config\" is not an object");
    out.config = *config;
  } else {
    out.config = json::object();
  }
  auto history = doc.find("history");
  if (history != doc.end() && !history->is_null()) {
    if (!history->is_array()) throw Error("image config: \"history\" is not an array");
    out.history = *history;
  }
  out.raw = std::move(bytes);
  return out;
}

}  // namespace roost::image
