// The kernel's idmapped mounts (mount_setattr MOUNT_ATTR_IDMAP), for a container whose user
// namespace is not the one its layers were written in (--uidmap, --userns=keep-id): the layers'
// files show the owners the container expects without a chown of the image.
//
// Where this kernel (6.18) allows it, found by experiment (as roost-test inside `roost unshare`,
// and as real root): the caller needs CAP_SYS_ADMIN over the user namespace that owns the file system's
// superblock, and the file system must support idmapping. So real root can idmap the store's ext4
// layer directories and stack a kernel overlay on them (overlayfs takes idmapped layers since
// 5.19); rootless, inside the store's user namespace, every candidate is refused: an ext4 layer
// directory with EPERM (its superblock belongs to the initial namespace), an overlay or a
// fuse-overlayfs mount made there with EINVAL (neither file system supports idmapping; tmpfs does,
// but layers are not on tmpfs). Rootless mounts therefore use fuse-overlayfs's own id mapping
// (rootfs_mount.cpp).
#pragma once

#include <filesystem>

#include "idmap/idmap.hpp"
#include "util/unique_fd.hpp"

namespace roost::store {

// A user namespace made only to carry id maps: the fd mount_setattr takes. The process that made
// it is gone once this exists (the fd keeps the namespace alive). `uid`/`gid` are written as a
// user namespace's maps: containerID is the id on disk, hostID the id it shows as here.
class IdMapNamespace {
 public:
  // roost::Error when the maps cannot be written (an unprivileged caller may not write more than
  // its own id: only real root uses this).
  static IdMapNamespace create(const idmap::Mappings& uid, const idmap::Mappings& gid);
  int fd() const { return fd_.get(); }

 private:
  explicit IdMapNamespace(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// A detached copy of the directory at `dir` (not recursive), idmapped through `ns`; the fd is its
// root, usable as "/proc/self/fd/N" by overlayfs until it is closed. roost::Error with the
// kernel's errno when the kernel refuses (see above).
UniqueFd idmapped_tree(const std::filesystem::path& dir, const IdMapNamespace& ns);

}  // namespace roost::store
