// podman's `--network slirp4netns:OPTIONS` (comma-separated KEY=VALUE words, as podman 4.3 takes
// them) applied to a network driver's options: allow_host_loopback, cidr, enable_ipv6, mtu,
// outbound_addr, outbound_addr6 and port_handler. The engine checks them at create (a clear error
// before anything runs) and the container's monitor applies them when it starts slirp4netns.
#pragma once

#include <string>
#include <vector>

#include "ns/net/network_options.hpp"

namespace roost::ns {

struct Slirp4netnsModeOptions {
  // port_handler=slirp4netns: published ports through slirp4netns's own forwarder (its API
  // socket), which shows every client as the gateway; rootlesskit (the default) is roost's builtin
  // forwarder, which keeps the client's address.
  bool slirp4netns_port_handler = false;
};

// Sets `options` for driver slirp4netns as podman does: host loopback disabled unless
// allow_host_loopback=true. Throws roost::Error naming the word for an unknown key, a value that is
// not a boolean, an MTU out of slirp4netns's range, a cidr that cannot hold the container's address
// or an outbound address that is neither an address nor an interface with one.
Slirp4netnsModeOptions apply_slirp4netns_mode_options(const std::vector<std::string>& words, NetworkOptions& options);

}  // namespace roost::ns
