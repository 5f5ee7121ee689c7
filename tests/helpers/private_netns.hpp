// Tests that need a network namespace of their own make it as any user can: a new user namespace
// in which the caller is root through a one-id map, and a new network namespace owned by it.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <string>

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::test {

// In the calling process (a forked child of the test): unshare both and write the maps. Its lo is
// still down.
inline void enter_private_user_and_netns() {
  const uid_t uid = getuid();
  const gid_t gid = getgid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) throw_errno("unshare user and network namespaces");
  write_file("/proc/self/setgroups", "deny", O_WRONLY);
  write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1", O_WRONLY);
  write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1", O_WRONLY);
}

}  // namespace roost::test
