// How a container's rootfs is stacked from the store's layers on this machine, probed once (a test
// mount of two lowers with a whiteout and an opaque dir, inside the user namespace) and cached in
// run_root/overlay-probe (a kernel change invalidates it: the cache records uname -r).
#pragma once

#include <string>

#include "store/store_paths.hpp"

namespace roost::store {

enum class OverlayDriver { KernelOverlay, FuseOverlayfs, Copy, None };

struct OverlayProbe {
  OverlayDriver driver = OverlayDriver::None;
  std::string detail;  // "overlay (userxattr), kernel 6.18" / why the kernel's failed / what to install
};

const char* driver_name(OverlayDriver);
// Must run inside the user namespace (after enter_user_namespace). `copy_requested`: the user asked
// for plain copies (ROOST_STORAGE_DRIVER=copy); never chosen silently.
OverlayProbe probe_overlay(const StorePaths& paths, bool copy_requested = false);

}  // namespace roost::store
