#include "rootfs/secure_path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost {

namespace {

UniqueFd open_resolved(int root_fd, const std::string& path, int flags, uint64_t resolve) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = resolve;
  std::string rel = path;
  while (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
  if (rel.empty()) rel = ".";
  for (;;) {
    long fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno != EAGAIN && errno != EINTR) return UniqueFd();
  }
}

}  // namespace

UniqueFd open_in_root(int root_fd, const std::string& path, int flags) {
  return open_resolved(root_fd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

UniqueFd open_in_root_no_symlinks(int root_fd, const std::string& path, int flags) {
  return open_resolved(root_fd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
}

UniqueFd make_in_root(int root_fd, const std::string& path, bool file) {
  // Most destinations exist already: one openat2 of the whole path resolves it exactly as the
  // walk below would end (the same flags on the same path), without a call per component.
  if (UniqueFd existing = open_in_root(root_fd, path, O_PATH); existing || errno != ENOENT) {
    if (!existing) throw_errno("open " + path + " in the rootfs");
    return existing;
  }
  std::vector<std::string> parts;
  for (auto& part : split(path, '/'))
    if (!part.empty() && part != ".") parts.push_back(std::move(part));
  std::string prefix;
  UniqueFd cur(::fcntl(root_fd, F_DUPFD_CLOEXEC, 3));
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const bool last = i + 1 == parts.size();
    prefix += "/" + part;
    UniqueFd next = open_in_root(root_fd, prefix, O_PATH);
    if (!next && errno == ENOENT) {
      // Create in the directory resolved so far; a racing symlink cannot redirect mkdirat/openat on
      // a single name component relative to an fd already confined in the root.
      if (last && file) {
        int fd = ::openat(cur.get(), part.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) throw_errno("create " + prefix + " in the rootfs");
        if (fd >= 0) ::close(fd);
      } else if (::mkdirat(cur.get(), part.c_str(), 0755) < 0 && errno != EEXIST) {
        throw_errno("mkdir " + prefix + " in the rootfs");
      }
      next = open_in_root(root_fd, prefix, O_PATH);
    }
    if (!next) throw_errno("open " + prefix + " in the rootfs");
    cur = std::move(next);
  }
  return cur;
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

}  // namespace roost
