// `roost unshare [CMD ARGS...]` (a command inside roost's user and mount namespace, as `podman
// unshare`: how a user looks at or removes the store's files, owned by subordinate ids) and
// `roost image mount|umount IMAGE` (inside it: the image's layers stacked read-only at
// run_root/mounts/ID, how tests compare roost's tree with umoci's).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/context.hpp"
#include "store/store.hpp"

namespace roost::engine {

// Enters the namespaces (store/userns_session sets ROOST_USERNS_PID, so roost commands run from
// CMD use this namespace instead of making their own) and execs CMD ($SHELL, else /bin/sh, when
// empty). --root/--runroot given to roost pass on as ROOST_ROOT/ROOST_RUNROOT. Returns only on
// failure: 127 when CMD is not found, 126 when it cannot be run, after one error line.
int unshare_exec(const GlobalOptions& global, const std::vector<std::string>& argv);

// Where an image is mounted: run_root/mounts/<id-hex>.
std::filesystem::path image_mount_point(const store::Store& store, const store::ImageRecord& image);
// Mounts (once: an image already mounted there is left as it is) and returns the mount point.
std::filesystem::path mount_image(store::Store& store, const std::string& text);
// Unmounts and removes the mount point; returns it.
std::filesystem::path unmount_image(store::Store& store, const std::string& text);

}  // namespace roost::engine
