// The container side of create: everything from clone() to execve() of the user's program.
// It runs in the child, talks to the runtime over the sync channel, and never returns.
#pragma once

#include "container/sync_channel.hpp"
#include "oci/spec.hpp"
#include "rootfs/rootfs.hpp"
#include "sys/namespaces.hpp"
#include "sys/seccomp.hpp"

namespace roost {

struct InitConfig {
  const oci::Spec* spec = nullptr;
  const NamespacePlan* namespaces = nullptr;
  const SeccompFilter* seccomp = nullptr;  // compiled by the runtime; null without linux.seccomp
  RootfsContext rootfs;
  SyncChannel* sync = nullptr;  // the init's end; closed after Ready
  int fifo_fd = -1;           // the exec fifo, opened read-write: blocks until `start` writes a byte
  int console_fd = -1;        // connected console socket, when process.terminal
  int preserve_fds = 0;       // fds 3 .. 3+N-1 pass into the container
  bool intermediate = false;  // namespaces are joined: setns, unshare, then fork the real init
  bool setgroups_allowed = true;
  bool new_session_keyring = true;
};

// Entry point of the child; exits with status 1 after reporting an error on the sync channel.
[[noreturn]] void container_init(const InitConfig& cfg);

}  // namespace roost
