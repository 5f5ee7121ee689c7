// What the user asked of the network (rootlesskit's --net and its companions), parsed by
// ns/options and read by the network drivers.
#pragma once

#include <string>
#include <vector>

#include "ns/port/port_spec.hpp"

namespace roost::ns {

struct NetworkOptions {
  std::string driver = "host";     // host, none, slirp4netns, pasta (vpnkit, lxc-user-nic,
                                   // gvisor-tap-vsock are parsed and refused by the driver factory)
  int mtu = 0;                     // 0: 65520 for slirp4netns/pasta, 1500 otherwise
  std::string cidr;                // empty: 10.0.2.0/24
  std::string ifname;              // empty: tap0
  bool disable_host_loopback = false;
  bool ipv6 = false;
  std::string outbound_addr, outbound_addr6;  // slirp4netns: bind outgoing connections to these
  bool detach_netns = false;       // the netns is kept at $STATE/netns; the command stays in the host's
  std::string slirp4netns_binary = "slirp4netns";
  std::string slirp4netns_sandbox = "false";  // auto, true, false
  std::string slirp4netns_seccomp = "false";  // auto, true, false
  std::string pasta_binary = "pasta";
  std::string vpnkit_binary = "vpnkit";
  std::string lxc_user_nic_binary;
  std::string lxc_user_nic_bridge = "lxcbr0";
  // The -p specs, for a driver that forwards ports itself: pasta has no API to add a port later,
  // so the implicit port driver's ports must be on its command line (-t/-u). Fill it only with
  // --port-driver=implicit; the other drivers ignore it.
  std::vector<PortSpec> published_ports;
};

}  // namespace roost::ns
