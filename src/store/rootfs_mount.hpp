// Stacking an image's layers into one tree at a target directory: the kernel's overlayfs or
// fuse-overlayfs. Whiteouts are 0:0 character devices; overlay's metadata (opaque directories)
// is in user.overlay.* when rootless (the `userxattr` option, the only one a user namespace may
// use) and in trusted.overlay.* as real root, which is what the layer applier writes in each case
// (layer/layer_writer.hpp). Read-only with the lowers alone, or writable with an upper and a work
// dir (a container's).
//
// The mount option page: mount(2) takes at most 4096 bytes of options, about 55 lowers at the
// store's path lengths. The kernel overlay is mounted through the fd API instead, one fsconfig
// "lowerdir+" per layer (kernel 6.8+), which has no such limit; on an older kernel, which refuses
// that key, the classic mount(2) is made from a child that opens every lower and works in
// /proc/self/fd, with the fd numbers as relative lowerdir entries ("7:8:9": a few bytes a layer
// whatever the paths, so overlay's own limit of 500 lowers comes first; beyond a page, a clear
// error). fuse-overlayfs parses its options itself (no page limit): absolute paths.
//
// An id mapping (LayerIdMap, issue 13): a container in a nested user namespace (--userns=keep-id,
// --uidmap) would see the layers' files, written with the image's ids in the store's namespace,
// through its own maps: root's files as the caller with keep-id. Instead of a chown of the whole
// image (podman's way), the mount itself maps them: a file stored with id c shows as the id h the
// container's map gives c, and what the container writes lands in the upper dir with the image's
// ids again. Rootless, the kernel refuses every idmapped mount of the layers (idmapped_mount.hpp
// has the errnos), so fuse-overlayfs maps them (its uidmapping=/gidmapping= options, whatever the
// store's driver); real root idmaps each lower for a kernel overlay (the upper stays in host ids:
// the overlay writes with the caller's credentials, and an idmapped upper refuses root's).
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "idmap/idmap.hpp"
#include "store/overlay_probe.hpp"

namespace roost::store {

struct UpperDirs {
  std::filesystem::path upper, work;  // on the layers' file system; work is overlay's scratch
  // A container thrown away after one run (--rm): the kernel overlay is mounted `volatile` (since
  // 5.10; refused, it is mounted without), which skips every sync of the upper dir, the unmount's
  // included (a sync of the whole upper file system, ~2 ms here, on the way out of every
  // `run --rm`). podman mounts --rm containers the same way. After a crash the kernel refuses to
  // mount that upper again, which a container never mounted twice does not mind.
  bool discard_after_run = false;
};

// Entries as a nested user namespace's maps, relative to the namespace that mounts (config.json's
// uidMappings/gidMappings): containerID the id a file has in the store, hostID the id it shows as.
// Empty: no mapping.
struct LayerIdMap {
  idmap::Mappings uid, gid;
  bool empty() const { return uid.empty() && gid.empty(); }
};

// The driver mount_layers uses for a store's driver and a mapping: FuseOverlayfs for any mapping
// when rootless (the kernel cannot map there), else the store's own.
OverlayDriver driver_for_mapping(OverlayDriver store_driver, const LayerIdMap& ids);

// Lowers top first (the image's last layer first). One lower and no upper is a read-only bind of
// that layer (overlay needs two lowers without an upper). Copy and None have nothing to mount:
// roost::Error. Errors carry the kernel's (or fuse-overlayfs's) words.
// With `ids`, the files show mapped (see the top of this file; the driver is
// driver_for_mapping's); both maps must be given.
void mount_layers(const std::vector<std::filesystem::path>& lowers_top_first, const std::filesystem::path& target,
                  OverlayDriver driver, const std::optional<UpperDirs>& upper, const LayerIdMap& ids = {});

// fuse-overlayfs's -o option string for these layers (exposed for its unit test).
std::string fuse_overlay_options(const std::vector<std::filesystem::path>& lowers_top_first,
                                 const std::optional<UpperDirs>& upper, const LayerIdMap& ids);

// The kernel overlay through mount(2) with fd-number lowerdir entries, as mount_layers does on a
// kernel without "lowerdir+" (before 6.8); public so that it can be tested on a newer one.
void mount_kernel_overlay_classic(const std::vector<std::filesystem::path>& lowers_top_first,
                                  const std::filesystem::path& target, const std::optional<UpperDirs>& upper);

// Gives every directory from `path` up to / that belongs to this process's user search permission
// for its group and others (go+x, podman's; nothing else changes, no other owner's directory is touched), as podman does
// for a container in a user namespace that does not map the user's own id (--uidmap, nomap):
// that container's root is "others" for the user's 0700 directories (XDG_RUNTIME_DIR, the
// store's) and must still reach its rootfs and bundle by path.
void make_reachable(const std::filesystem::path& path);

// Unmounts what mount_layers mounted at target (either driver); a busy mount is an error.
void unmount_layers(const std::filesystem::path& target);

// True when overlay metadata is in user.overlay.* (rootless: the `userxattr` mount option), false
// as real root (trusted.overlay.*).
bool overlay_uses_user_xattrs();

}  // namespace roost::store
