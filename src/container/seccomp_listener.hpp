// The runtime's side of SCMP_ACT_NOTIFY. The container's process loads its filter before the
// runtime lets go of it and passes the notification fd up the sync channel; the runtime then
// connects to linux.seccomp.listenerPath and sends the runtime-spec "container process state"
// with that fd (SCM_RIGHTS): one connection per fd, closed after sending. The agent behind the
// socket answers the notified calls; the runtime keeps no copy of the fd.
#pragma once

#include <sys/types.h>

#include <string>

namespace roost {

// The container process state document: ociVersion, fds ["seccompFd"], pid (as the runtime sees
// it), metadata (listenerMetadata, left out when empty) and the container's state.
std::string container_process_state(pid_t pid, const std::string& metadata, const std::string& state_json);

// Sends `process_state` and `notify_fd` to the AF_UNIX SOCK_STREAM socket at `listener_path`.
// Throws roost::Error naming the path when the agent cannot be reached or the send fails.
void send_to_seccomp_listener(const std::string& listener_path, int notify_fd, const std::string& process_state);

}  // namespace roost
