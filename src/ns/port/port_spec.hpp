// A published port, as rootlesskit's -p/--publish and its REST API spell it.
#pragma once

#include <string>
#include <string_view>

namespace roost::ns {

// JSON names, as rootlesskit's API: proto, parentIP, parentPort, childPort, childIP.
struct PortSpec {
  std::string proto;        // tcp, tcp4, tcp6, udp, udp4, udp6, sctp, sctp4, sctp6
  std::string parent_ip;    // empty: all addresses
  int parent_port = 0;
  int child_port = 0;
  std::string child_ip;     // empty: the driver's default (127.0.0.1 for builtin)
  bool operator==(const PortSpec&) const = default;
};

// "[PARENTIP:]PARENTPORT[:CHILDIP]:CHILDPORT/PROTO", IPv6 addresses in brackets
// ("[::1]:8080:[::1]:80/tcp6"), exactly as rootlesskit parses it; throws roost::Error with
// rootlesskit's message otherwise.
PortSpec parse_port_spec(std::string_view text);
// Checks ports (1..65535), protocol and addresses as rootlesskit's validation does.
void validate_port_spec(const PortSpec& spec);

}  // namespace roost::ns
