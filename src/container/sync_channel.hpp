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

// One end of the channel; it owns its descriptor. The runtime keeps one end and the child (init,
// exec'd process) the other; each closes the end it does not use right after the fork.
class SyncChannel {
 public:
  SyncChannel() = default;
  explicit SyncChannel(UniqueFd fd) : fd_(std::move(fd)) {}
  // A connected AF_UNIX SOCK_SEQPACKET pair, close-on-exec: the runtime's end, then the child's.
  static std::pair<SyncChannel, SyncChannel> pair();

  void send(SyncMsg type, const std::string& payload = "") const;
  // One message carrying the descriptor `passed` (SCM_RIGHTS) and no payload.
  void send_fd(SyncMsg type, int passed) const;
  // Throws roost::Error if the peer closed the channel (it exited) before sending.
  SyncMessage receive() const;
  // The same, with nullopt when the peer closed the channel (exec: the program was exec'd).
  std::optional<SyncMessage> receive_or_eof() const;
  // Receives and checks the type; an Error message becomes a roost::Error with its text.
  std::string expect(SyncMsg type) const;

  // False once closed here (the init closes its end after Ready: later errors go to stderr).
  bool is_open() const { return static_cast<bool>(fd_); }
  void close() { fd_.reset(); }

 private:
  UniqueFd fd_;
};

}  // namespace roost
