// IPv4 subnets as user-defined networks use them (pure): "10.89.0.0/24" parsed and normalised, the
// overlap test, the first free 10.89.N.0/24 (podman's range for its bridge networks), a subnet's
// gateway (its first host) and the n-th host address of a subnet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace roost::ctr {

struct Ipv4Subnet {
  uint32_t base = 0;  // host byte order, host bits zero
  int prefix = 0;     // 0..32
  uint32_t mask() const { return prefix == 0 ? 0 : ~uint32_t(0) << (32 - prefix); }
  uint32_t size() const { return prefix == 0 ? 0 : uint32_t(1) << (32 - prefix); }  // 0: all of IPv4
  bool contains(uint32_t address) const { return (address & mask()) == base; }
  std::string text() const;  // "10.89.0.0/24"
  bool operator==(const Ipv4Subnet&) const = default;
};

// "A.B.C.D/N"; host bits are cleared ("10.1.2.3/24" is 10.1.2.0/24, as podman takes it). Throws
// roost::Error naming the text when it is no IPv4 subnet, or a prefix longer than /30 (no room
// for a gateway and a container).
Ipv4Subnet parse_subnet(const std::string& text);
// Dotted quad <-> host order. parse_ipv4 throws roost::Error naming the text.
uint32_t parse_ipv4(const std::string& text);
std::string ipv4_text(uint32_t address);

bool overlaps(const Ipv4Subnet& a, const Ipv4Subnet& b);
// The first 10.89.N.0/24, N = 0..255, that overlaps none of `used`; nullopt when all are taken.
std::optional<Ipv4Subnet> first_free_subnet(const std::vector<Ipv4Subnet>& used);
// The gateway a subnet gets when none is given: its first host (10.89.0.1).
uint32_t default_gateway(const Ipv4Subnet& subnet);
// A usable host address: inside, neither the network nor the broadcast address.
bool is_host_address(const Ipv4Subnet& subnet, uint32_t address);
// The lowest host address of the subnet that is neither the gateway nor in `taken`.
std::optional<uint32_t> first_free_address(const Ipv4Subnet& subnet, uint32_t gateway,
                                           const std::vector<uint32_t>& taken);

}  // namespace roost::ctr
