// The pause process that keeps one user's namespaces alive between commands (podman's): a
// grandchild of the first command that needs them, in a session of its own, deaf to every signal
// but SIGKILL and SIGTERM, in pause() forever. Later commands (and the containers' monitors) join
// its user namespace, so that every container of the user sits in one user namespace, and one
// process (root there) can join all their network namespaces with a veth.
//
// It also holds the user's "rootless network namespace" (podman's rootless-netns): it unshares a
// network namespace of its own before it reports ready, where the bridges of user-defined
// networks live (/proc/PID/ns/net); nothing is configured in it here.
//
// Its pid file holds "PID STARTTIME\n" (STARTTIME: /proc/PID/stat field 22), so a pid reused by
// another process is never taken for it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "util/unique_fd.hpp"

namespace roost::sys {

struct PauseProcess {
  pid_t pid = 0;
  UniqueFd pidfd;  // the process itself, whatever becomes of the pid number later
};

// Forks the pause process in the caller's namespaces (the caller has just made its user namespace
// and is root there; it must be single-threaded) and returns once the pause process is ready: it
// is no child of the caller (reparented to the subreaper or init), has a new network namespace
// and holds none of the caller's fds. Throws roost::Error when it could not be started.
PauseProcess start_pause_process();

// "PID STARTTIME\n" to path, through a temporary file and a rename (the caller holds the lock
// that orders writers).
void write_pause_pid_file(const std::string& path, const PauseProcess& pause);

// The live process the pid file names, when it is the one written there (same start time) and
// its user namespace belongs to the caller (owner uid == the caller's euid, both as the caller's
// user namespace sees them). nullopt when the file is absent or malformed, or the process has
// gone or its pid was reused.
std::optional<PauseProcess> open_pause_process(const std::string& pid_file);

// SIGKILL to the pause process, then waits (up to timeout_ms) until it has gone. True if it has.
bool kill_pause_process(const PauseProcess& pause, int timeout_ms);

// /proc/PID/stat field 22 (clock ticks since boot); 0 when the process has gone.
uint64_t process_start_time(pid_t pid);

}  // namespace roost::sys
