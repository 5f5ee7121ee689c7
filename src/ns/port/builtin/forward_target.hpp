// Where a published port's connections go inside, and which source address they carry there.
#pragma once

#include <optional>

#include "ns/port/port_spec.hpp"
#include "ns/port/socket_address.hpp"

namespace roost::ns::builtin {

struct ForwardTarget {
  SocketAddress address;            // CHILDIP:CHILDPORT, CHILDIP 127.0.0.1 when not given
  bool source_ip_transparent = true;

  static ForwardTarget of(const PortSpec& spec, bool source_ip_transparent);
  // The client's address to bind the inside socket to: none when transparency is off or the
  // families differ (an IPv6 client of an IPv4 target).
  std::optional<SocketAddress> source_for(const SocketAddress& client) const;
  // Whether binding to `source` needs IP_TRANSPARENT and the reply rule: every address but
  // loopback ones, which are the namespace's own too.
  static bool needs_transparency(const SocketAddress& source) { return !source.is_loopback(); }
};

}  // namespace roost::ns::builtin
