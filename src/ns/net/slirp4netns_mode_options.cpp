#include "ns/net/slirp4netns_mode_options.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <charconv>

#include "ns/net/child_addresses.hpp"
#include "util/error.hpp"

namespace roost::ns {
namespace {

bool parse_bool(const std::string& key, const std::string& value) {
  if (value == "true") return true;
  if (value == "false") return false;
  throw Error("invalid value of " + key + " for slirp4netns: \"" + value + "\" (true or false)");
}

// An address of `family` as it is, or the first address of that family of the interface so named
// (podman takes both; slirp4netns binds to an address).
std::string outbound_address(const std::string& key, const std::string& value, int family) {
  unsigned char buf[sizeof(in6_addr)];
  if (::inet_pton(family, value.c_str(), buf) == 1) return value;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) == 0) {
    std::string found;
    for (ifaddrs* i = list; i && found.empty(); i = i->ifa_next) {
      if (!i->ifa_addr || i->ifa_addr->sa_family != family || value != i->ifa_name) continue;
      char text[INET6_ADDRSTRLEN];
      const void* addr = family == AF_INET ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr)
                                           : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr);
      if (::inet_ntop(family, addr, text, sizeof text)) found = text;
    }
    ::freeifaddrs(list);
    if (!found.empty()) return found;
  }
  throw Error("invalid value of " + key + " for slirp4netns: \"" + value + "\" is not an " +
              (family == AF_INET ? "IPv4" : "IPv6") + " address nor an interface with one");
}

}  // namespace

Slirp4netnsModeOptions apply_slirp4netns_mode_options(const std::vector<std::string>& words, NetworkOptions& options) {
  Slirp4netnsModeOptions out;
  options.driver = "slirp4netns";
  options.disable_host_loopback = true;
  for (const std::string& word : words) {
    const size_t eq = word.find('=');
    const std::string key = word.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : word.substr(eq + 1);
    if (eq == std::string::npos || value.empty())
      throw Error("slirp4netns option \"" + word + "\" needs a value (KEY=VALUE)");
    if (key == "allow_host_loopback") {
      options.disable_host_loopback = !parse_bool(key, value);
    } else if (key == "enable_ipv6") {
      options.ipv6 = parse_bool(key, value);
    } else if (key == "cidr") {
      child_addresses(value);  // throws for a malformed or too small network
      options.cidr = value;
    } else if (key == "mtu") {
      int mtu = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), mtu);
      if (ec != std::errc() || end != value.data() + value.size() || mtu < 68 || mtu > 65521)
        throw Error("invalid value of mtu for slirp4netns: \"" + value + "\" (68 to 65521)");
      options.mtu = mtu;
    } else if (key == "outbound_addr") {
      options.outbound_addr = outbound_address(key, value, AF_INET);
    } else if (key == "outbound_addr6") {
      options.outbound_addr6 = outbound_address(key, value, AF_INET6);
    } else if (key == "port_handler") {
      if (value != "rootlesskit" && value != "slirp4netns")
        throw Error("unknown port_handler for slirp4netns: \"" + value + "\" (rootlesskit or slirp4netns)");
      out.slirp4netns_port_handler = value == "slirp4netns";
    } else {
      throw Error("unknown option for slirp4netns: \"" + key +
                  "\" (allow_host_loopback, cidr, enable_ipv6, mtu, outbound_addr, outbound_addr6, port_handler)");
    }
  }
  return out;
}

}  // namespace roost::ns
