#include "sys/mount_attr.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace roost {
namespace {

struct MountAttr {
  uint64_t attr_set;
  uint64_t attr_clr;
  uint64_t propagation;
  uint64_t userns_fd;
};

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

}  // namespace

int set_mount_attr(const char* path, uint64_t set, uint64_t clear, bool recursive) {
  MountAttr attr{set, clear, 0, 0};
  // Symlinks are followed: "/proc/self/fd/N" must lead to the mount the fd holds.
  unsigned flags = recursive ? AT_RECURSIVE : 0;
  return static_cast<int>(::syscall(SYS_mount_setattr, AT_FDCWD, path, flags, &attr, sizeof attr));
}

int set_mount_attr_fd(int fd, uint64_t set, uint64_t clear, bool recursive) {
  MountAttr attr{set, clear, 0, 0};
  unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  return static_cast<int>(::syscall(SYS_mount_setattr, fd, "", flags, &attr, sizeof attr));
}

int set_mount_idmap_fd(int fd, int userns_fd) {
  MountAttr attr{kAttrIdmap, 0, 0, static_cast<uint64_t>(userns_fd)};
  return static_cast<int>(::syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof attr));
}

void ms_flags_to_attr(unsigned long ms, unsigned long ms_clear, uint64_t& set, uint64_t& clear) {
  set = clear = 0;
  auto map = [&](unsigned long ms_flag, uint64_t attr) {
    if (ms & ms_flag) set |= attr;
    if (ms_clear & ms_flag) clear |= attr;
  };
  map(MS_RDONLY, kAttrRdonly);
  map(MS_NOSUID, kAttrNosuid);
  map(MS_NODEV, kAttrNodev);
  map(MS_NOEXEC, kAttrNoexec);
  map(MS_NODIRATIME, kAttrNodiratime);
  map(MS_NOSYMFOLLOW, kAttrNosymfollow);
  // Access-time modes are one field: setting any of them means clearing the whole field first.
  if (ms & MS_NOATIME) {
    set |= kAttrNoatime;
    clear |= kAttrAtimeMask;
  } else if (ms & MS_STRICTATIME) {
    set |= kAttrStrictatime;
    clear |= kAttrAtimeMask;
  } else if (ms & MS_RELATIME) {
    set |= kAttrRelatime;
    clear |= kAttrAtimeMask;
  }
}

}  // namespace roost
