#include "rootfs/copy_up.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace roost {
namespace {

void copy_metadata(int dir_fd, const char* name, const struct stat& st, const std::string& path) {
  // Owner first: chown clears set-id bits, which the mode then restores.
  if (::fchownat(dir_fd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
    throw_errno("copy up owner of " + path);
  if (!S_ISLNK(st.st_mode) && ::fchmodat(dir_fd, name, st.st_mode & 07777, 0) < 0)
    throw_errno("copy up mode of " + path);
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  ::utimensat(dir_fd, name, times, AT_SYMLINK_NOFOLLOW);
}

void copy_file(int from_dir, int to_dir, const char* name, const struct stat& st, const std::string& path) {
  UniqueFd in(::openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) throw_errno("copy up " + path);
  UniqueFd out(::openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) throw_errno("copy up " + path);
  for (off_t left = st.st_size; left > 0;) {
    ssize_t n = ::sendfile(out.get(), in.get(), nullptr, static_cast<size_t>(left));
    if (n < 0) throw_errno("copy up " + path);
    if (n == 0) break;
    left -= n;
  }
}

}  // namespace

void copy_tree(int from, int to, const std::string& what) {
  int dup = ::fcntl(from, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) throw_errno("copy up " + what);
  DIR* dir = ::fdopendir(dup);
  if (!dir) {
    ::close(dup);
    throw_errno("copy up " + what);
  }
  try {
    while (struct dirent* ent = ::readdir(dir)) {
      const char* name = ent->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      const std::string path = what + "/" + name;
      struct stat st;
      if (::fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("copy up " + path);
      if (S_ISDIR(st.st_mode)) {
        if (::mkdirat(to, name, 0700) < 0) throw_errno("copy up " + path);
        UniqueFd sub_from(::openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        UniqueFd sub_to(::openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!sub_from || !sub_to) throw_errno("copy up " + path);
        copy_tree(sub_from.get(), sub_to.get(), path);
      } else if (S_ISREG(st.st_mode)) {
        copy_file(from, to, name, st, path);
      } else if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = ::readlinkat(from, name, target, sizeof target - 1);
        if (n < 0) throw_errno("copy up " + path);
        target[n] = '\0';
        if (::symlinkat(target, to, name) < 0) throw_errno("copy up " + path);
      } else {
        continue;  // sockets, fifos and device nodes are not copied
      }
      copy_metadata(to, name, st, path);
    }
  } catch (...) {
    ::closedir(dir);
    throw;
  }
  ::closedir(dir);
  // The mount point itself takes the covered directory's mode and owner.
  struct stat st;
  if (::fstat(from, &st) == 0) {
    if (::fchown(to, st.st_uid, st.st_gid) < 0 && errno != EINVAL) throw_errno("copy up owner of " + what);
    if (::fchmod(to, st.st_mode & 07777) < 0) throw_errno("copy up mode of " + what);
  }
}

}  // namespace roost
