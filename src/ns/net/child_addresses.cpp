#include "ns/net/child_addresses.hpp"

#include <arpa/inet.h>

#include <cstdint>
#include <cstdlib>

#include "util/error.hpp"

namespace roost::ns {
namespace {

std::string ipv4_text(uint32_t host_order) {
  in_addr addr{htonl(host_order)};
  char text[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, &addr, text, sizeof text);
  return text;
}

uint32_t host_mask(int prefix_length) { return prefix_length >= 32 ? 0 : 0xffffffffu >> prefix_length; }

}  // namespace

ChildAddresses child_addresses(const std::string& cidr) {
  size_t slash = cidr.find('/');
  in_addr addr{};
  char* end = nullptr;
  long prefix = -1;
  if (slash != std::string::npos && slash + 1 < cidr.size()) prefix = std::strtol(cidr.c_str() + slash + 1, &end, 10);
  if (prefix < 0 || prefix > 32 || *end != '\0' || ::inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &addr) != 1)
    throw Error("invalid CIDR address: " + cidr);
  uint32_t network = ntohl(addr.s_addr);
  if ((network & host_mask(static_cast<int>(prefix))) != 0)
    throw Error("cidr must be like 10.0.2.0/24, not like " + cidr);
  // The child's address is network+100: a smaller network cannot hold it (slirp4netns refuses it too).
  if (prefix < 1 || prefix > 25)
    throw Error("cidr " + cidr + " cannot hold the child's address (network+100): use a prefix length of 1 to 25");
  return {ipv4_text(network + 100), static_cast<int>(prefix), ipv4_text(network + 2), ipv4_text(network + 3)};
}

std::string ipv4_netmask(int prefix_length) { return ipv4_text(~host_mask(prefix_length)); }

}  // namespace roost::ns
