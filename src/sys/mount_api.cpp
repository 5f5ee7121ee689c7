#include "sys/mount_api.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "sys/mount_attr.hpp"

namespace roost {
namespace {

constexpr unsigned kOpenTreeClone = 1;           // OPEN_TREE_CLONE
constexpr unsigned kMoveMountFromEmpty = 0x04;   // MOVE_MOUNT_F_EMPTY_PATH
constexpr unsigned kMoveMountToEmpty = 0x40;     // MOVE_MOUNT_T_EMPTY_PATH
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
constexpr unsigned kFsopenCloexec = 1;      // FSOPEN_CLOEXEC
constexpr unsigned kFsmountCloexec = 1;     // FSMOUNT_CLOEXEC
constexpr unsigned kConfigSetFlag = 0;      // FSCONFIG_SET_FLAG
constexpr unsigned kConfigSetString = 1;    // FSCONFIG_SET_STRING
constexpr unsigned kConfigCmdCreate = 6;    // FSCONFIG_CMD_CREATE
// What fsmount(2) takes as attributes; the rest (nosymfollow) goes through mount_setattr.
constexpr uint64_t kFsmountAttrs = kAttrRdonly | kAttrNosuid | kAttrNodev | kAttrNoexec | kAttrAtimeMask | kAttrNodiratime;

int fsconfig(int fs, unsigned cmd, const char* key, const char* value) {
  return static_cast<int>(::syscall(SYS_fsconfig, fs, cmd, key, value, 0));
}

// The kernel's messages about a failed configuration, read from the fs context ("e tmpfs: Bad
// value for 'size'"): one line each, the level prefix dropped.
std::string kernel_messages(int fs) {
  std::string out;
  char buf[1024];
  ssize_t n;
  while ((n = ::read(fs, buf, sizeof buf - 1)) > 0) {
    std::string line(buf, static_cast<size_t>(n));
    while (!line.empty() && line.back() == '\n') line.pop_back();
    if (line.size() > 2 && line[1] == ' ') line = line.substr(2);
    out += (out.empty() ? "" : "; ") + line;
  }
  return out;
}

}  // namespace

UniqueFd clone_mount_tree(const std::string& source, bool recursive) {
  unsigned flags = kOpenTreeClone | O_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  return UniqueFd(static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, source.c_str(), flags)));
}

UniqueFd clone_mount_fd(int fd, bool recursive) {
  unsigned flags = kOpenTreeClone | O_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  return UniqueFd(static_cast<int>(::syscall(SYS_open_tree, fd, "", flags)));
}

UniqueFd new_filesystem_mount(const std::string& type, const std::string& source,
                              const std::vector<std::string>& options, unsigned long ms_flags, std::string& detail) {
  detail.clear();
  // fsconfig has no word for iversion (file systems refuse it as an unknown parameter): that one
  // takes the mount(2) path, as on a kernel without the API.
  if (ms_flags & MS_I_VERSION) {
    errno = ENOSYS;
    return UniqueFd();
  }
  UniqueFd fs(static_cast<int>(::syscall(SYS_fsopen, type.c_str(), kFsopenCloexec)));
  if (!fs) return fs;
  auto fail = [&] {
    const int err = errno;
    detail = kernel_messages(fs.get());
    errno = err;
    return UniqueFd();
  };
  if (!source.empty() && fsconfig(fs.get(), kConfigSetString, "source", source.c_str()) < 0) return fail();
  for (const auto& option : options) {
    const auto eq = option.find('=');
    const int rc = eq == std::string::npos
                       ? fsconfig(fs.get(), kConfigSetFlag, option.c_str(), nullptr)
                       : fsconfig(fs.get(), kConfigSetString, option.substr(0, eq).c_str(), option.substr(eq + 1).c_str());
    if (rc < 0) return fail();
  }
  // The superblock flags mount(2) would take from its flags argument. MS_SILENT is not one of
  // them: it keeps a file system's complaints out of the kernel log, where an fs context's never
  // go (they are read from `fs`), and fsconfig refuses it as an unknown parameter.
  static constexpr std::pair<unsigned long, const char*> kSuperblockFlags[] = {
      {MS_SYNCHRONOUS, "sync"}, {MS_DIRSYNC, "dirsync"}, {MS_LAZYTIME, "lazytime"}, {MS_MANDLOCK, "mand"}};
  for (const auto& [flag, name] : kSuperblockFlags)
    if ((ms_flags & flag) && fsconfig(fs.get(), kConfigSetFlag, name, nullptr) < 0) return fail();
  if (fsconfig(fs.get(), kConfigCmdCreate, nullptr, nullptr) < 0) return fail();

  uint64_t set = 0, clear = 0;
  ms_flags_to_attr(ms_flags, 0, set, clear);
  UniqueFd mnt(static_cast<int>(::syscall(SYS_fsmount, fs.get(), kFsmountCloexec, set & kFsmountAttrs)));
  if (!mnt) return fail();
  if ((set & ~kFsmountAttrs) && set_mount_attr_fd(mnt.get(), set & ~kFsmountAttrs, 0, false) < 0) return UniqueFd();
  return mnt;
}

int attach_mount_tree(int tree_fd, int target_fd) {
  return static_cast<int>(
      ::syscall(SYS_move_mount, tree_fd, "", target_fd, "", kMoveMountFromEmpty | kMoveMountToEmpty));
}

}  // namespace roost
