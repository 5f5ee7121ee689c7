// mount_setattr(2), declared here because glibc 2.36's <sys/mount.h> and <linux/mount.h> clash.
#pragma once

#include <cstdint>

namespace roost {

constexpr uint64_t kAttrRdonly = 0x00000001;
constexpr uint64_t kAttrNosuid = 0x00000002;
constexpr uint64_t kAttrNodev = 0x00000004;
constexpr uint64_t kAttrNoexec = 0x00000008;
constexpr uint64_t kAttrAtimeMask = 0x00000070;
constexpr uint64_t kAttrRelatime = 0x00000000;
constexpr uint64_t kAttrNoatime = 0x00000010;
constexpr uint64_t kAttrStrictatime = 0x00000020;
constexpr uint64_t kAttrNodiratime = 0x00000080;
constexpr uint64_t kAttrNosymfollow = 0x00200000;
constexpr uint64_t kAttrIdmap = 0x00100000;

// Sets `set` and clears `clear` on the mount at path (all mounts below it too when recursive).
// Flags it does not name are left as they are, which keeps the flags a user namespace may not
// change (locked by the kernel) intact. Returns -1 with errno on failure.
int set_mount_attr(const char* path, uint64_t set, uint64_t clear, bool recursive);

// The same on the mount an fd holds (AT_EMPTY_PATH): a detached tree from open_tree(2) gets its
// flags before it is attached anywhere, so no path lookup happens between mounting and locking.
int set_mount_attr_fd(int fd, uint64_t set, uint64_t clear, bool recursive);

// Makes the detached mount an fd holds (open_tree OPEN_TREE_CLONE, never attached yet) an
// idmapped mount: its files' ids are read through the maps of the user namespace userns_fd names
// (an id k on disk shows as the id k of that namespace). The kernel allows it only to a caller
// with CAP_SYS_ADMIN over the file system's own user namespace, on a file system that supports it.
// Returns -1 with errno on failure.
int set_mount_idmap_fd(int fd, int userns_fd);

// MS_* flags (from parse_mount_options) to mount_setattr attributes.
void ms_flags_to_attr(unsigned long ms_flags, unsigned long ms_clear, uint64_t& set, uint64_t& clear);

}  // namespace roost
