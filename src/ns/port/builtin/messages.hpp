// What the builtin driver's halves say over the port socket pair (SOCK_SEQPACKET, so each
// message arrives whole). Both halves are the same binary, so the messages are plain structs.
#pragma once

#include <sys/socket.h>

#include <cstdint>

namespace roost::ns::builtin {

// Parent -> child: open a socket of `socket_type` inside and connect it to `target`, bound to
// `source` first when source_length is not 0 (transparently when `transparent`: the address is
// not one of the namespace's own, and replies need the policy rule).
struct ConnectRequest {
  uint32_t sequence = 0;
  int32_t socket_type = SOCK_STREAM;
  sockaddr_storage target{};
  uint32_t target_length = 0;
  sockaddr_storage source{};
  uint32_t source_length = 0;
  uint8_t transparent = 0;
};

// Child -> parent, with the connected socket attached when `error` is empty.
struct ConnectReply {
  uint32_t sequence = 0;
  char error[240] = {};
};

}  // namespace roost::ns::builtin
