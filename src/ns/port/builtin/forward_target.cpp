#include "ns/port/builtin/forward_target.hpp"

namespace roost::ns::builtin {

ForwardTarget ForwardTarget::of(const PortSpec& spec, bool source_ip_transparent) {
  ForwardTarget t;
  std::string ip = spec.child_ip.empty() ? "127.0.0.1" : spec.child_ip;
  t.address = SocketAddress::from(ip, spec.child_port).value().unmapped();
  t.source_ip_transparent = source_ip_transparent;
  return t;
}

std::optional<SocketAddress> ForwardTarget::source_for(const SocketAddress& client) const {
  if (!source_ip_transparent) return std::nullopt;
  SocketAddress source = client.unmapped();
  if (source.family() != address.family()) return std::nullopt;
  return source;
}

}  // namespace roost::ns::builtin
