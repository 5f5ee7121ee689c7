// The addresses rootlesskit gives a slirp4netns or pasta namespace: from the network address of
// --cidr (default 10.0.2.0/24), the child is +100, the gateway (the host's loopback) +2 and the
// DNS forwarder +3.
#pragma once

#include <string>

namespace roost::ns {

struct ChildAddresses {
  std::string ip;        // 10.0.2.100
  int prefix_length = 0; // 24
  std::string gateway;   // 10.0.2.2
  std::string dns;       // 10.0.2.3
};

// Throws roost::Error for text that is not an IPv4 network address with its prefix, or a network
// too small to hold the child's address (slirp4netns needs a prefix of 1..25).
ChildAddresses child_addresses(const std::string& cidr);

// "255.255.255.0" for 24 (pasta's --netmask also takes bits, but the dotted form says more in ps).
std::string ipv4_netmask(int prefix_length);

}  // namespace roost::ns
