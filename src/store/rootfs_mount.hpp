// Stacking an image's layers into one tree at a target directory: the kernel's overlayfs (with
// userxattr: overlay metadata in user.overlay.*, whiteouts as 0:0 character devices, so one layer
// format serves root and rootless alike) or fuse-overlayfs. Read-only with the lowers alone, or
// writable with an upper and a work dir (a container's).
//
// The mount option page: mount(2) takes at most 4096 bytes of options, about 55 lowers at the
// store's path lengths. The kernel overlay is mounted through the fd API instead, one fsconfig
// "lowerdir+" per layer (kernel 6.8+), which has no such limit; on an older kernel, which refuses
// that key, the classic mount(2) is made from a child that opens every lower and works in
// /proc/self/fd, with the fd numbers as relative lowerdir entries ("7:8:9": a few bytes a layer
// whatever the paths, so overlay's own limit of 500 lowers comes first; beyond a page, a clear
// error). fuse-overlayfs parses its options itself (no page limit): absolute paths.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "store/overlay_probe.hpp"

namespace roost::store {

struct UpperDirs {
  std::filesystem::path upper, work;  // on the layers' file system; work is overlay's scratch
};

// Lowers top first (the image's last layer first). One lower and no upper is a read-only bind of
// that layer (overlay needs two lowers without an upper). Copy and None have nothing to mount:
// roost::Error. Errors carry the kernel's (or fuse-overlayfs's) words.
void mount_layers(const std::vector<std::filesystem::path>& lowers_top_first, const std::filesystem::path& target,
                  OverlayDriver driver, const std::optional<UpperDirs>& upper);

// The kernel overlay through mount(2) with fd-number lowerdir entries, as mount_layers does on a
// kernel without "lowerdir+" (before 6.8); public so that it can be tested on a newer one.
void mount_kernel_overlay_classic(const std::vector<std::filesystem::path>& lowers_top_first,
                                  const std::filesystem::path& target, const std::optional<UpperDirs>& upper);

// Unmounts what mount_layers mounted at target (either driver); a busy mount is an error.
void unmount_layers(const std::filesystem::path& target);

}  // namespace roost::store
