#include "rootfs/mount_api.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace roost {
namespace {

constexpr unsigned kOpenTreeClone = 1;           // OPEN_TREE_CLONE
constexpr unsigned kMoveMountFromEmpty = 0x04;   // MOVE_MOUNT_F_EMPTY_PATH
constexpr unsigned kMoveMountToEmpty = 0x40;     // MOVE_MOUNT_T_EMPTY_PATH
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

}  // namespace

UniqueFd clone_mount_tree(const std::string& source, bool recursive) {
  unsigned flags = kOpenTreeClone | O_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  return UniqueFd(static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, source.c_str(), flags)));
}

UniqueFd clone_mount_fd(int fd, bool recursive) {
  unsigned flags = kOpenTreeClone | O_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  return UniqueFd(static_cast<int>(::syscall(SYS_open_tree, fd, "", flags)));
}

int attach_mount_tree(int tree_fd, int target_fd) {
  return static_cast<int>(
      ::syscall(SYS_move_mount, tree_fd, "", target_fd, "", kMoveMountFromEmpty | kMoveMountToEmpty));
}

}  // namespace roost
