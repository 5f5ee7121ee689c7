// Paths inside a container's rootfs, resolved so that no symlink or ".." can lead out of it
// (openat2 with RESOLVE_IN_ROOT), and created component by component on the way.
#pragma once

#include <string>

#include "util/unique_fd.hpp"

namespace roost {

// Opens `path` (relative to, and confined in, root_fd) with openat2 RESOLVE_IN_ROOT.
// Returns an invalid fd with errno set on failure.
UniqueFd open_in_root(int root_fd, const std::string& path, int flags);

// The same, but failing with ELOOP if any component (the last one too) is a symlink: for the
// destinations that must be exactly where they are named (/proc, /sys, masked paths).
UniqueFd open_in_root_no_symlinks(int root_fd, const std::string& path, int flags);

// Ensures `path` exists inside root_fd, creating missing directories (mode 0755) and, when
// `file` is true, an empty final file; returns an O_PATH fd of the final component.
UniqueFd make_in_root(int root_fd, const std::string& path, bool file);

// "/proc/self/fd/N": lets mount(2) and friends act on exactly the inode an fd holds.
std::string fd_path(int fd);

}  // namespace roost
