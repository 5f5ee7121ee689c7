// Files through directory fds (moved here from store/ so the image store and the engine's
// container store share them): records are written to a temporary name, synced, renamed into
// place and their directory synced, so a reader (or a crash) sees the old file or the new one,
// never half of one. Everything below a directory fd goes with O_NOFOLLOW, and trees are removed
// by an fd walk that never follows a symlink.
#pragma once

#include <filesystem>
#include <string>

#include "util/unique_fd.hpp"

namespace roost {

// One of the store's own directories by path (its root, storage/, layers/, a layer's diff/):
// symlinks are followed, so a data root moved to another disk and linked back works. What lies
// inside a layer is never reached by path: open_dir_at and the removal walk use O_NOFOLLOW.
UniqueFd open_dir(const std::filesystem::path& path);
// A directory opened O_DIRECTORY|O_NOFOLLOW below `dirfd` (`name` may not be a symlink).
UniqueFd open_dir_at(int dirfd, const std::string& name, const std::string& where);
// mkdir that accepts an existing directory (and refuses anything else at the name).
void make_dir_at(int dirfd, const std::string& name, int mode, const std::string& where);

void fsync_fd(int fd, const std::string& what);
// Writes `data` as `tmp_dirfd`/.tmp-NAME-RANDOM, fsyncs it, renames it to `dest_dirfd`/NAME
// (both dirs on one file system) and fsyncs the destination directory.
void write_file_durable(int tmp_dirfd, int dest_dirfd, const std::string& name, const std::string& data,
                        const std::string& where);
// The same temp + rename without the fsyncs: atomic against a killed writer (a reader sees the old
// file or the new one), not against a power loss (the new file may then be empty or missing). For
// records that are a cache of something else, or that would not outlive a reboot anyway.
void write_file_replace_at(int dirfd, const std::string& name, const std::string& data, const std::string& where);
std::string read_file_at(int dirfd, const std::string& name, const std::string& where);
// The whole of an open regular file: a read shorter than asked is its end (one read(2) for a
// small record, not a second one that returns 0).
std::string read_fd_whole(int fd, const std::string& where);

// 12 random hex digits, for names no other process picks.
std::string random_suffix();
// 2 * bytes random hex digits from getrandom (a container's 64-digit id: random_hex(32)).
std::string random_hex(size_t bytes);

// rm -rf of dir/name that never follows a symlink (fd walk: openat O_NOFOLLOW, unlinkat) and
// stays on one file system; a missing name is fine. At most 32 directory fds are open at once,
// however deep the tree: deeper directories are moved up to dir/name's top and emptied from there.
// For the store's own trees (a layer renamed out of place, a partial one): nothing else may be
// writing in them.
void remove_tree_at(int dirfd, const std::string& name, const std::string& where);

}  // namespace roost
