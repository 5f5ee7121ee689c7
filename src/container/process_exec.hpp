// The last steps before a container's program runs, shared by the init (create/start) and by
// exec: find the program, take on the process user with exactly its capabilities, enter the
// working directory, set no_new_privs, close descriptors, load seccomp, execve.
#pragma once

#include <string>

#include "container/sync_channel.hpp"
#include "oci/spec.hpp"
#include "sys/seccomp.hpp"

namespace roost {

// Finds the program as execvp would, with the process's PATH (relative to the current root and
// directory), so that a missing program is a clear error before anything runs.
std::string find_executable(const oci::Process& proc);

// Root of the user namespace for the set-up, so files it creates belong to root. When the maps have
// no 0 (only the process user is mapped), that user instead: a process that created or joined the
// namespace holds every capability in it, and a change between non-zero ids does not drop them.
void become_namespace_root(const oci::User& user);

// SCMP_ACT_NOTIFY: the listener program (sys/seccomp.hpp) goes in while the runtime still waits on
// the sync channel, its notification fd goes up that channel, and this returns once the runtime
// says it has passed the fd to listenerPath. Nothing to do for a filter without notify rules;
// exec_process loads the main program either way.
void hand_over_seccomp_listener(const SeccompFilter* filter, const SyncChannel& sync);

struct ExecOptions {
  const SeccompFilter* seccomp = nullptr;
  int preserve_fds = 0;           // fds 3 .. 3+N-1 pass into the program
  bool setgroups_allowed = true;  // false in a one-id user namespace (setgroups denied)
};

[[noreturn]] void exec_process(const oci::Process& proc, const std::string& program, const ExecOptions& opts);

}  // namespace roost
