// `roost system df`, `system prune [-a]`, `system reset`: the store's disk use as podman's table
// (from Store::usage, no walk), removing dangling (or, with -a, all) images, removing the store.
#pragma once

#include <cstdint>
#include <string>

#include "store/store.hpp"

namespace roost::engine {

// TYPE TOTAL ACTIVE SIZE RECLAIMABLE (Images, Containers, Local Volumes), or JSON (podman 5's
// keys) with format "json". Pure over the usage.
std::string format_df(const store::Usage& usage, const std::string& format);

struct PruneResult {
  std::vector<std::string> deleted;  // image IDs
  int64_t reclaimed_bytes = 0;
};
// Dangling images (no name); with `all`, every image. roost has no containers yet (issue 13), so
// no image is in use and -a removes them all. Then layers no image uses.
PruneResult prune_images(store::Store& store, bool all);
// "Deleted Images\nID...\nTotal reclaimed space: 3.975MB\n" as podman prints it.
std::string format_prune(const PruneResult& result);

}  // namespace roost::engine
