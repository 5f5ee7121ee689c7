// The messages between the runtime and the container's init while it is set up, over an
// AF_UNIX SOCK_SEQPACKET pair: each message is one type byte and an optional text payload.
#pragma once

#include <string>
#include <utility>

namespace roost {

enum class SyncMsg : char {
  MapIds = 'M',     // init -> runtime: my user namespace exists, write its id maps
  MapsDone = 'm',   // runtime -> init
  Pid = 'P',        // intermediate -> runtime: the init's pid (payload), when a fork was needed
  Hooks = 'H',      // init -> runtime: run prestart and createRuntime hooks now
  HooksDone = 'h',  // runtime -> init: payload is the state JSON for the init's own hooks
  Ready = 'R',      // init -> runtime: set up, waiting for start
  Error = 'E',      // either way: payload is the one-line error
};

void sync_send(int fd, SyncMsg type, const std::string& payload = "");
// Throws roost::Error if the peer closed the channel (it exited) before sending.
std::pair<SyncMsg, std::string> sync_receive(int fd);
// Receives and checks the type; an Error message becomes a roost::Error with its text.
std::string sync_expect(int fd, SyncMsg type);

}  // namespace roost
