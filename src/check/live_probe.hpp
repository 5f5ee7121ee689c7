// The part of `roost check` that asks the kernel itself: a child process enters a new user and
// mount namespace as roost's commands do (store::enter_user_namespace: the caller's ranges through
// newuidmap/newgidmap, or a one-id map), then mounts the store's overlay probe once with the
// kernel's overlay and once with fuse-overlayfs (store::check_overlay_driver: two lowers with a
// whiteout and an opaque directory, an upper and a work dir). Nothing of it outlives the child's
// namespace, and the probe's scratch tree is removed. Real root gets a new mount namespace only.
#pragma once

#include "check/host_check.hpp"
#include "store/store_paths.hpp"

namespace roost::check {

// The child is killed after timeout_seconds (a hung fuse mount), which is reported as its error.
LiveFindings probe_live(const store::StorePaths& paths, int timeout_seconds = 30);

}  // namespace roost::check
