#include "util/dir_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "util/error.hpp"

namespace roost {

UniqueFd open_dir(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw_errno("open directory " + path.string());
  return fd;
}

UniqueFd open_dir_at(int dirfd, const std::string& name, const std::string& where) {
  UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) throw_errno("open directory " + where);
  return fd;
}

void make_dir_at(int dirfd, const std::string& name, int mode, const std::string& where) {
  if (::mkdirat(dirfd, name.c_str(), mode) == 0) return;
  if (errno != EEXIST) throw_errno("mkdir " + where);
  struct stat st;
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("stat " + where);
  if (!S_ISDIR(st.st_mode)) throw Error(where + " exists and is not a directory");
}

void fsync_fd(int fd, const std::string& what) {
  if (::fsync(fd) < 0) throw_errno("fsync " + what);
}

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = ::getrandom(raw.data() + got, bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("getrandom");
    }
    got += static_cast<size_t>(n);
  }
  static const char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char b : raw) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

std::string random_suffix() { return random_hex(6); }

namespace {

// Writes data to a temporary name in tmp_dirfd and renames it to dest_dirfd/name; `sync` adds the
// fsync of the file before the rename and of the destination directory after it.
void write_file_renamed(int tmp_dirfd, int dest_dirfd, const std::string& name, const std::string& data,
                        const std::string& where, bool sync) {
  const std::string tmp = ".tmp-" + name + "-" + random_suffix();
  UniqueFd fd(::openat(tmp_dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd) throw_errno("create " + where);
  try {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_errno("write " + where);
      }
      done += static_cast<size_t>(n);
    }
    if (sync) fsync_fd(fd.get(), where);
    if (::renameat(tmp_dirfd, tmp.c_str(), dest_dirfd, name.c_str()) < 0) throw_errno("rename into " + where);
  } catch (...) {
    ::unlinkat(tmp_dirfd, tmp.c_str(), 0);
    throw;
  }
  if (sync) fsync_fd(dest_dirfd, "the directory of " + where);
}

}  // namespace

void write_file_durable(int tmp_dirfd, int dest_dirfd, const std::string& name, const std::string& data,
                        const std::string& where) {
  write_file_renamed(tmp_dirfd, dest_dirfd, name, data, where, /*sync=*/true);
}

void write_file_replace_at(int dirfd, const std::string& name, const std::string& data, const std::string& where) {
  write_file_renamed(dirfd, dirfd, name, data, where, /*sync=*/false);
}

std::string read_file_at(int dirfd, const std::string& name, const std::string& where) {
  UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) throw_errno("open " + where);
  return read_fd_whole(fd.get(), where);
}

std::string read_fd_whole(int fd, const std::string& where) {
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("read " + where);
    }
    out.append(buf, static_cast<size_t>(n));
    if (static_cast<size_t>(n) < sizeof buf) break;
  }
  return out;
}

namespace {

// Below this depth a directory is not descended into but moved up to the top of the tree being
// removed (one rename within it: the tree is the store's own, out of its place already), and
// emptied from there later: a layer nested thousands deep costs no more than this many fds.
constexpr int kMaxOpenDepth = 32;

void remove_at_depth(int dirfd, const std::string& name, const std::string& where, int top_fd, int depth);

// Empties the directory `fd` and everything below it.
void empty_dir(int fd, const std::string& where, int top_fd, int depth) {
  // Names first, then removal: unlinking while readdir runs may skip entries.
  for (;;) {
    std::vector<std::pair<std::string, unsigned char>> names;
    {
      int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
      if (dup < 0) throw_errno("dup " + where);
      DIR* dir = ::fdopendir(dup);
      if (!dir) {
        ::close(dup);
        throw_errno("opendir " + where);
      }
      ::rewinddir(dir);
      while (struct dirent* ent = ::readdir(dir)) {
        std::string n = ent->d_name;
        if (n != "." && n != "..") names.emplace_back(std::move(n), ent->d_type);
        if (names.size() >= 4096) break;
      }
      ::closedir(dir);
    }
    if (names.empty()) return;
    for (const auto& [n, type] : names) {
      const std::string path = where + "/" + n;
      bool is_dir = type == DT_DIR;
      if (type == DT_UNKNOWN) {
        struct stat st;
        if (::fstatat(fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
          if (errno == ENOENT) continue;
          throw_errno("stat " + path);
        }
        is_dir = S_ISDIR(st.st_mode);
      }
      if (!is_dir) {
        if (::unlinkat(fd, n.c_str(), 0) == 0 || errno == ENOENT) continue;
        if (errno != EISDIR) throw_errno("remove " + path);
      }
      if (depth >= kMaxOpenDepth) {
        const std::string moved = ".deep-" + random_suffix();
        if (::renameat(fd, n.c_str(), top_fd, moved.c_str()) < 0) throw_errno("move up " + path + " to remove it");
        continue;  // the top's own loop finds it
      }
      remove_at_depth(fd, n, path, top_fd, depth + 1);
    }
  }
}

void remove_at_depth(int dirfd, const std::string& name, const std::string& where, int top_fd, int depth) {
  struct stat st;
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return;
    throw_errno("stat " + where);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(dirfd, name.c_str(), 0) < 0 && errno != ENOENT) throw_errno("remove " + where);
    return;
  }
  struct stat parent;
  if (::fstat(dirfd, &parent) < 0) throw_errno("stat the directory above " + where);
  // A mount on a layer's directory (a rootfs left mounted) is refused, not emptied through.
  if (st.st_dev != parent.st_dev) throw Error("refusing to remove " + where + ": a file system is mounted there");
  {
    UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
      if (errno == ENOENT) return;
      // Replaced by a symlink since the stat: remove the link, never what it names.
      if (errno == ELOOP || errno == ENOTDIR) {
        if (::unlinkat(dirfd, name.c_str(), 0) < 0 && errno != ENOENT) throw_errno("remove " + where);
        return;
      }
      throw_errno("open directory " + where);
    }
    struct stat opened;
    if (::fstat(fd.get(), &opened) < 0) throw_errno("stat " + where);
    if (opened.st_dev != parent.st_dev)
      throw Error("refusing to remove " + where + ": a file system is mounted there");
    empty_dir(fd.get(), where, top_fd < 0 ? fd.get() : top_fd, depth);
  }
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT) throw_errno("remove directory " + where);
}

}  // namespace

void remove_tree_at(int dirfd, const std::string& name, const std::string& where) {
  remove_at_depth(dirfd, name, where, -1, 0);
}

}  // namespace roost
