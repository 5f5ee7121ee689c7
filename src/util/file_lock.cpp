#include "util/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "util/error.hpp"

namespace roost {

std::optional<FileLock> FileLock::lock(const std::filesystem::path& path, LockMode mode, bool wait) {
  for (;;) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) throw_errno("open lock file " + path.string());
    const int op = (mode == LockMode::Shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB);
    int rc;
    while ((rc = ::flock(fd.get(), op)) < 0 && errno == EINTR) {
    }
    if (rc < 0) {
      if (errno == EWOULDBLOCK) return std::nullopt;
      throw_errno("lock " + path.string());
    }
    // The holder before us may have removed the file (and someone may have made a new one): the
    // lock counts only on the inode the path names now.
    struct stat held, now;
    if (::fstat(fd.get(), &held) < 0) throw_errno("stat lock file " + path.string());
    if (::lstat(path.c_str(), &now) == 0 && now.st_ino == held.st_ino && now.st_dev == held.st_dev) {
      FileLock l;
      l.path_ = path;
      l.fd_ = std::move(fd);
      return l;
    }
  }
}

FileLock FileLock::acquire(const std::filesystem::path& path, LockMode mode) {
  return *lock(path, mode, true);
}

std::optional<FileLock> FileLock::try_acquire(const std::filesystem::path& path, LockMode mode) {
  return lock(path, mode, false);
}

void FileLock::remove_and_release() {
  if (!fd_) return;
  if (::unlink(path_.c_str()) < 0 && errno != ENOENT) throw_errno("remove lock file " + path_.string());
  fd_.reset();
}

}  // namespace roost
