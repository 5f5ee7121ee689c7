// `roost images`: the store's images as podman lists them (REPOSITORY TAG [DIGEST] IMAGE ID
// CREATED SIZE, one row per name, newest first; `<none>` for an image without one), -q (IDs
// once each), --format json (podman's keys) or a --format template (engine/template) per row.
// Pure over the records, so it is tested without a store.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace roost::engine {

struct ImagesOptions {
  // -a: podman also lists intermediate images (build stages); roost stores none (it does not
  // build), so every image it has is already listed and -a changes nothing by construction.
  bool all = false;
  bool quiet = false;
  bool digests = false;
  bool no_trunc = false;
  std::string format;  // "", "json", or a template
};

// The created time of an image in Unix seconds: the config's, else when it was stored.
int64_t image_created_unix(const store::ImageRecord& image);
// "docker.io/library/busybox:latest" -> {"docker.io/library/busybox", "latest"}.
std::pair<std::string, std::string> split_name(const std::string& name);

// The whole output (table with newline-terminated rows, or JSON) at time `now`; `labels` gives an
// image's config labels (or null) for the JSON form.
std::string format_images(std::vector<store::ImageRecord> images, const ImagesOptions& options, int64_t now,
                          const std::function<nlohmann::json(const store::ImageRecord&)>& labels);

}  // namespace roost::engine
