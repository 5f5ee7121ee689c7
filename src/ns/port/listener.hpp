// The parent's listening socket for one published port, made as rootlesskit's Go net.Listen /
// net.ListenUDP makes it (address family, dual stack for "tcp"/"udp" on a wildcard address), with
// its error texts ("listen tcp 127.0.0.1:80: bind: address already in use") and the privileged
// port advice.
#pragma once

#include "ns/port/port_spec.hpp"
#include "util/unique_fd.hpp"

namespace roost::ns {

struct ListenerOptions {
  // The advice names "CAP_NET_BIND_SERVICE on rootlesskit binary" only when the program was
  // called as rootlesskit, as rootlesskit itself does.
  bool called_as_rootlesskit = false;
};

// A nonblocking, close-on-exec socket bound to spec's parent address (listening, for TCP).
// `socket_type` is SOCK_STREAM or SOCK_DGRAM. Throws roost::Error with rootlesskit's message.
UniqueFd open_listener(const PortSpec& spec, int socket_type, const ListenerOptions& options);

// "cannot expose privileged port 80, you can add ... (>= 1024)" when `port` is below
// net.ipv4.ip_unprivileged_port_start, else empty.
std::string privileged_port_advice(int port, bool called_as_rootlesskit);

}  // namespace roost::ns
