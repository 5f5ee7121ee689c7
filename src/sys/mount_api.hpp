// The fd-based mount API (open_tree, fsopen/fsconfig/fsmount, move_mount), declared here because
// glibc 2.36's <sys/mount.h> and <linux/mount.h> clash. A bind made this way is a detached copy of
// the source, and a new file system a detached mount of a fresh instance; either gets its flags
// while nothing can reach it and is then attached onto a destination fd: no path is looked up
// twice, so a symlink swapped in meanwhile (CVE-2021-30465) changes nothing.
#pragma once

#include <string>
#include <vector>

#include "util/unique_fd.hpp"

namespace roost {

// A detached copy of the mount tree at `source` (open_tree OPEN_TREE_CLONE, with AT_RECURSIVE
// when recursive). Invalid with errno set on failure; ENOSYS on kernels older than 5.2.
UniqueFd clone_mount_tree(const std::string& source, bool recursive);

// The same for the inode an fd holds (a verified /dev/null, a pty peer, a path bound onto itself).
UniqueFd clone_mount_fd(int fd, bool recursive);

// A new instance of file system `type` (proc, tmpfs, devpts, sysfs, mqueue, cgroup2 ...), mounted
// detached: fsopen, fsconfig of the source and of each of `options` (one "key" or "key=value"
// each, as rootfs's split_fs_options cuts a mount's data), the superblock flags among `ms_flags`
// (sync, dirsync, lazytime, mand; silent is how an fs context works anyway), fsmount with the
// mount attributes among them (ro, nosuid, nodev, noexec, atime; only the mount is made
// read-only, never a superblock another mount may share). Invalid with errno set on failure:
// ENOSYS on kernels older than 5.2 and for iversion, which fsconfig cannot say (use mount(2)
// then); `detail` holds what the kernel said about a failure, if anything.
UniqueFd new_filesystem_mount(const std::string& type, const std::string& source,
                              const std::vector<std::string>& options, unsigned long ms_flags, std::string& detail);

// Attaches a detached tree onto the inode `target_fd` holds (move_mount, both paths empty).
// Returns -1 with errno on failure.
int attach_mount_tree(int tree_fd, int target_fd);

}  // namespace roost
