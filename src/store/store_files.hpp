// The store's small-file discipline: records are written to a temporary name, synced, renamed
// into place and their directory synced, so a reader (or a crash) sees the old file or the new
// one, never half of one. Everything goes through directory fds, with O_NOFOLLOW.
#pragma once

#include <filesystem>
#include <string>

#include "util/unique_fd.hpp"

namespace roost::store {

// A directory opened O_DIRECTORY|O_NOFOLLOW (the path's last component may not be a symlink).
UniqueFd open_dir(const std::filesystem::path& path);
UniqueFd open_dir_at(int dirfd, const std::string& name, const std::string& where);
// mkdir that accepts an existing directory (and refuses anything else at the name).
void make_dir_at(int dirfd, const std::string& name, int mode, const std::string& where);

void fsync_fd(int fd, const std::string& what);
// Writes `data` as `tmp_dirfd`/.tmp-NAME-RANDOM, fsyncs it, renames it to `dest_dirfd`/NAME
// (both dirs on one file system) and fsyncs the destination directory.
void write_file_durable(int tmp_dirfd, int dest_dirfd, const std::string& name, const std::string& data,
                        const std::string& where);
std::string read_file_at(int dirfd, const std::string& name, const std::string& where);

// 12 random hex digits, for names no other process picks.
std::string random_suffix();

// rm -rf of dir/name that never follows a symlink (fd walk: openat O_NOFOLLOW, unlinkat) and
// stays on one file system; a missing name is fine.
void remove_tree_at(int dirfd, const std::string& name, const std::string& where);

}  // namespace roost::store
