// The messages between the runtime and the container's init while it is set up, over an
// AF_UNIX SOCK_SEQPACKET pair: each message is one type byte and an optional text payload.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "util/unique_fd.hpp"

namespace roost {

enum class SyncMsg : char {
  MapIds = 'M',     // init -> runtime: my user namespace exists, write its id maps
  MapsDone = 'm',   // runtime -> init
  Pid = 'P',        // intermediate -> runtime: the init's pid (payload), when a fork was needed
  Hooks = 'H',      // init -> runtime: run prestart and createRuntime hooks now
  HooksDone = 'h',  // runtime -> init: payload is the state JSON for the init's own hooks
  Seccomp = 'S',    // init or exec'd process -> runtime: the seccomp notify fd (SCM_RIGHTS), for listenerPath
  SeccompDone = 's',  // runtime -> init or exec'd process: the fd is with the agent at listenerPath
  Ready = 'R',      // init -> runtime: set up, waiting for start
  Error = 'E',      // either way: payload is the one-line error
};

// Orders two processes sharing the channel after a fork: the parent sends the child's pid
// (SyncMsg::Pid) and exits, and only then may the child send anything. Without it a busy machine
// can schedule the child through its whole setup first, and the runtime would take the first
// message it sees for the parent's.
class GateAfterFork {
 public:
  GateAfterFork();  // before fork()
  ~GateAfterFork();
  GateAfterFork(const GateAfterFork&) = delete;
  GateAfterFork& operator=(const GateAfterFork&) = delete;
  // In the child: returns once the parent has exited (its end of the gate closed with it).
  void wait_for_parent_exit();

 private:
  int read_end_ = -1, write_end_ = -1;
};

struct SyncMessage {
  SyncMsg type;
  std::string payload;
  UniqueFd fd;  // a descriptor that came with the message, close-on-exec here
};

void sync_send(int fd, SyncMsg type, const std::string& payload = "");
// One message carrying the descriptor `passed` (SCM_RIGHTS) and no payload.
void sync_send_fd(int fd, SyncMsg type, int passed);
// Throws roost::Error if the peer closed the channel (it exited) before sending.
SyncMessage sync_receive(int fd);
// The same, with nullopt when the peer closed the channel (exec: the program was exec'd).
std::optional<SyncMessage> sync_receive_or_eof(int fd);
// Receives and checks the type; an Error message becomes a roost::Error with its text.
std::string sync_expect(int fd, SyncMsg type);

}  // namespace roost
