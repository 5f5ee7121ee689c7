#include "ctr/subnet.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>

#include "util/error.hpp"

namespace roost::ctr {

uint32_t parse_ipv4(const std::string& text) {
  in_addr a{};
  if (::inet_pton(AF_INET, text.c_str(), &a) != 1) throw Error("not an IPv4 address: \"" + text + "\"");
  return ntohl(a.s_addr);
}

std::string ipv4_text(uint32_t address) {
  in_addr a{htonl(address)};
  char buf[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

std::string Ipv4Subnet::text() const { return ipv4_text(base) + "/" + std::to_string(prefix); }

Ipv4Subnet parse_subnet(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) throw Error("subnet \"" + text + "\" needs a prefix length (10.89.5.0/24)");
  const std::string length = text.substr(slash + 1);
  char* end = nullptr;
  const long prefix = std::strtol(length.c_str(), &end, 10);
  if (length.empty() || *end || prefix < 0 || prefix > 32)
    throw Error("subnet \"" + text + "\": the prefix length must be 0 to 32");
  uint32_t address;
  try {
    address = parse_ipv4(text.substr(0, slash));
  } catch (const Error&) {
    throw Error("subnet \"" + text + "\" is not an IPv4 subnet (IPv6 networks are not supported)");
  }
  if (prefix < 8) throw Error("subnet \"" + text + "\" is too large (/8 at least)");
  if (prefix > 30) throw Error("subnet \"" + text + "\" is too small: a network needs a gateway and a container (/30 at most)");
  Ipv4Subnet s;
  s.prefix = int(prefix);
  s.base = address & s.mask();
  return s;
}

bool overlaps(const Ipv4Subnet& a, const Ipv4Subnet& b) {
  // Two prefixes overlap exactly when the shorter one contains the other's base.
  const Ipv4Subnet& wider = a.prefix <= b.prefix ? a : b;
  const Ipv4Subnet& narrower = a.prefix <= b.prefix ? b : a;
  return wider.contains(narrower.base);
}

std::optional<Ipv4Subnet> first_free_subnet(const std::vector<Ipv4Subnet>& used) {
  for (uint32_t n = 0; n < 256; ++n) {
    const Ipv4Subnet candidate{(10u << 24) | (89u << 16) | (n << 8), 24};
    if (std::none_of(used.begin(), used.end(), [&](const Ipv4Subnet& u) { return overlaps(u, candidate); }))
      return candidate;
  }
  return std::nullopt;
}

uint32_t default_gateway(const Ipv4Subnet& subnet) { return subnet.base + 1; }

bool is_host_address(const Ipv4Subnet& subnet, uint32_t address) {
  return subnet.contains(address) && address != subnet.base && address != subnet.base + (subnet.size() - 1);
}

std::optional<uint32_t> first_free_address(const Ipv4Subnet& subnet, uint32_t gateway,
                                           const std::vector<uint32_t>& taken) {
  for (uint32_t a = subnet.base + 1; a < subnet.base + (subnet.size() - 1); ++a) {
    if (a == gateway || std::find(taken.begin(), taken.end(), a) != taken.end()) continue;
    return a;
  }
  return std::nullopt;
}

}  // namespace roost::ctr
