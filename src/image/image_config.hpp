// The image configuration (image-spec config.md; Docker's superset): what the store needs
// (diff_ids, platform, created) parsed, and the rest kept as JSON for inspect and the engine.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "image/digest.hpp"
#include "image/manifest.hpp"

namespace roost::image {

struct ImageConfig {
  std::string raw;               // the exact bytes (their sha256 is the image ID)
  std::string created;           // RFC 3339, may be empty
  std::string author;
  Platform platform;             // os, architecture, variant
  std::vector<Digest> diff_ids;  // rootfs.diff_ids, base first
  nlohmann::json config;         // the "config" object: User, Env, Entrypoint, Cmd, WorkingDir, ...
  nlohmann::json history;        // array, may be null
  nlohmann::json document;       // the whole parsed document
};

// Throws roost::Error for bad JSON, rootfs.type other than "layers", bad diff_ids, > kMaxConfigBytes.
ImageConfig parse_image_config(std::string bytes);

}  // namespace roost::image
