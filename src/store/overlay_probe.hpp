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
//
// The probe, in storage/overlay-probe-<random>/ (the layers' own file system): two lowers, the
// upper one holding a whiteout (0:0 character device) over a file of the lower one and a
// directory marked opaque with user.overlay.opaque=y; mounted with an upper and a work dir; the
// merged view must hide the whited-out file and the opaque directory's lower contents, show the
// rest, and take a new file and a removal. The kernel's overlay (userxattr) first, then
// fuse-overlayfs (installed, /dev/fuse usable). Neither: OverlayDriver::None, with a detail
// saying what failed and what to install. A result with a driver is cached in
// run_root/overlay-probe with `uname -r` and the storage path; a None is probed again next time.
OverlayProbe probe_overlay(const StorePaths& paths, bool copy_requested = false);

// One run of the probe's test with one driver (KernelOverlay or FuseOverlayfs), uncached: "" when
// the merged view is right, else what went wrong.
std::string check_overlay_driver(const StorePaths& paths, OverlayDriver driver);

// ROOST_STORAGE_DRIVER: unset or empty is the probe's choice, "copy" asks for plain copies;
// anything else is a roost::Error naming the accepted values.
bool copy_driver_requested();

}  // namespace roost::store
