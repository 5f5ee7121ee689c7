#include "sys/netlink.hpp"

#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/veth.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cstring>

#include "util/error.hpp"

namespace roost::netlink {

namespace {

// One rtnetlink request under construction: the netlink header, the family's fixed header, then
// attributes, each aligned as the kernel expects (NLMSG_ALIGN / RTA_ALIGN).
class Message {
 public:
  Message(uint16_t type, uint16_t flags) {
    auto* h = header();
    h->nlmsg_len = NLMSG_HDRLEN;
    h->nlmsg_type = type;
    h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  }
  nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(buf_); }

  // Appends the family header (ifinfomsg, ifaddrmsg, rtmsg, fib_rule_hdr) and returns it.
  template <typename T>
  T* body() {
    T* p = reinterpret_cast<T*>(buf_ + header()->nlmsg_len);
    std::memset(p, 0, sizeof(T));
    header()->nlmsg_len += NLMSG_ALIGN(sizeof(T));
    return p;
  }

  void attr(uint16_t type, const void* data, size_t size) {
    size_t at = NLMSG_ALIGN(header()->nlmsg_len);
    size_t len = RTA_LENGTH(size);
    if (at + RTA_ALIGN(len) > sizeof(buf_)) throw Error("netlink request too large");
    auto* rta = reinterpret_cast<rtattr*>(buf_ + at);
    rta->rta_type = type;
    rta->rta_len = uint16_t(len);
    if (size) std::memcpy(RTA_DATA(rta), data, size);
    header()->nlmsg_len = uint32_t(at + RTA_ALIGN(len));
  }
  void attr_u32(uint16_t type, uint32_t value) { attr(type, &value, sizeof value); }
  void attr_string(uint16_t type, const std::string& s) { attr(type, s.c_str(), s.size() + 1); }
  // A nested attribute: begin_nested returns its offset; end_nested sets its length once its
  // members are in.
  size_t begin_nested(uint16_t type) {
    const size_t at = NLMSG_ALIGN(header()->nlmsg_len);
    attr(type, nullptr, 0);
    return at;
  }
  void end_nested(size_t at) {
    reinterpret_cast<rtattr*>(buf_ + at)->rta_len = uint16_t(header()->nlmsg_len - at);
  }
  // A bare family header inside an attribute (veth's peer: an ifinfomsg, then its attributes).
  template <typename T>
  T* nested_body() {
    return body<T>();
  }
  void attr_u8(uint16_t type, uint8_t value) { attr(type, &value, sizeof value); }

 private:
  alignas(nlmsghdr) char buf_[512] = {};
};

// An IPv4 or IPv6 address in network byte order.
struct Address {
  int family = 0;
  unsigned char bytes[16] = {};
  size_t size() const { return family == AF_INET ? 4 : 16; }
};

Address parse_address(const std::string& text) {
  Address a;
  if (inet_pton(AF_INET, text.c_str(), a.bytes) == 1) {
    a.family = AF_INET;
  } else if (inet_pton(AF_INET6, text.c_str(), a.bytes) == 1) {
    a.family = AF_INET6;
  } else {
    throw Error("not an IP address: " + text);
  }
  return a;
}

std::string family_name(int family) { return family == AF_INET6 ? "ipv6" : "ipv4"; }

}  // namespace

RouteSocket::RouteSocket() : fd_(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) {
  if (!fd_) throw_errno("netlink socket");
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (bind(fd_.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0)
    throw_errno("bind netlink socket");
}

void RouteSocket::request(void* message, const std::string& doing) {
  auto* h = static_cast<nlmsghdr*>(message);
  h->nlmsg_seq = ++sequence_;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd_.get(), h, h->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    throw_errno(doing);
  // The ack carries the request's header back; 8 KiB is far more than an error message needs.
  alignas(nlmsghdr) char reply[8192];
  for (;;) {
    ssize_t n = recv(fd_.get(), reply, sizeof reply, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno(doing + ": netlink reply");
    }
    for (auto* r = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(r, size_t(n)); r = NLMSG_NEXT(r, n)) {
      if (r->nlmsg_seq != h->nlmsg_seq || r->nlmsg_type != NLMSG_ERROR) continue;
      const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(r));
      if (err->error != 0) throw SysError(doing, -err->error);
      return;
    }
  }
}

int RouteSocket::link_index(const std::string& ifname) {
  unsigned index = if_nametoindex(ifname.c_str());
  if (index == 0) throw_errno("find network link " + ifname);
  return int(index);
}

void RouteSocket::set_link_up(const std::string& ifname) {
  Message m(RTM_NEWLINK, 0);
  auto* info = m.body<ifinfomsg>();
  info->ifi_family = AF_UNSPEC;
  info->ifi_index = link_index(ifname);
  info->ifi_flags = IFF_UP;
  info->ifi_change = IFF_UP;
  request(m.header(), "set link " + ifname + " up");
}

void RouteSocket::set_link_mtu(const std::string& ifname, int mtu) {
  Message m(RTM_NEWLINK, 0);
  auto* info = m.body<ifinfomsg>();
  info->ifi_family = AF_UNSPEC;
  info->ifi_index = link_index(ifname);
  m.attr_u32(IFLA_MTU, uint32_t(mtu));
  request(m.header(), "set MTU " + std::to_string(mtu) + " on " + ifname);
}

void RouteSocket::add_address(const std::string& ifname, const std::string& address, int prefix_length) {
  Address a = parse_address(address);
  Message m(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  auto* ifa = m.body<ifaddrmsg>();
  ifa->ifa_family = uint8_t(a.family);
  ifa->ifa_prefixlen = uint8_t(prefix_length);
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = uint32_t(link_index(ifname));
  m.attr(IFA_LOCAL, a.bytes, a.size());
  m.attr(IFA_ADDRESS, a.bytes, a.size());
  request(m.header(), "add address " + address + "/" + std::to_string(prefix_length) + " to " + ifname);
}

void RouteSocket::add_default_route(const std::string& ifname, const std::string& gateway) {
  Address gw = parse_address(gateway);
  Message m(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  auto* rt = m.body<rtmsg>();
  rt->rtm_family = uint8_t(gw.family);
  rt->rtm_table = RT_TABLE_MAIN;
  rt->rtm_protocol = RTPROT_BOOT;
  rt->rtm_scope = RT_SCOPE_UNIVERSE;
  rt->rtm_type = RTN_UNICAST;
  m.attr(RTA_GATEWAY, gw.bytes, gw.size());
  m.attr_u32(RTA_OIF, uint32_t(link_index(ifname)));
  request(m.header(), "add default route via " + gateway + " dev " + ifname);
}

void RouteSocket::add_local_default_route(int family, const std::string& ifname, uint32_t table) {
  Message m(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  auto* rt = m.body<rtmsg>();
  rt->rtm_family = uint8_t(family);
  // Tables above 255 only fit the attribute; the header's byte says "see RTA_TABLE".
  rt->rtm_table = table < 256 ? uint8_t(table) : uint8_t(RT_TABLE_UNSPEC);
  rt->rtm_protocol = RTPROT_BOOT;
  rt->rtm_scope = RT_SCOPE_HOST;
  rt->rtm_type = RTN_LOCAL;
  m.attr_u32(RTA_TABLE, table);
  m.attr_u32(RTA_OIF, uint32_t(link_index(ifname)));
  request(m.header(), "add local " + family_name(family) + " default route on " + ifname + " in table " +
                          std::to_string(table));
}

namespace {

void build_sport_rule(Message& m, int family, int ip_protocol, int port, uint32_t table, uint32_t priority) {
  auto* rule = m.body<fib_rule_hdr>();
  rule->family = uint8_t(family);
  rule->table = table < 256 ? uint8_t(table) : uint8_t(RT_TABLE_UNSPEC);
  rule->action = FR_ACT_TO_TBL;
  m.attr_u32(FRA_TABLE, table);
  m.attr_u32(FRA_PRIORITY, priority);
  m.attr_u8(FRA_IP_PROTO, uint8_t(ip_protocol));
  fib_rule_port_range range{uint16_t(port), uint16_t(port)};
  m.attr(FRA_SPORT_RANGE, &range, sizeof range);
}

std::string describe_sport_rule(int family, int ip_protocol, int port, uint32_t table) {
  return family_name(family) + " rule " + (ip_protocol == IPPROTO_UDP ? "udp" : "tcp") + " sport " +
         std::to_string(port) + " lookup " + std::to_string(table);
}

}  // namespace

void RouteSocket::add_sport_rule(int family, int ip_protocol, int port, uint32_t table, uint32_t priority) {
  Message m(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL);
  build_sport_rule(m, family, ip_protocol, port, table, priority);
  try {
    request(m.header(), "add " + describe_sport_rule(family, ip_protocol, port, table));
  } catch (const SysError& e) {
    if (e.err() != EEXIST) throw;
  }
}

void RouteSocket::delete_sport_rule(int family, int ip_protocol, int port, uint32_t table, uint32_t priority) {
  Message m(RTM_DELRULE, 0);
  build_sport_rule(m, family, ip_protocol, port, table, priority);
  try {
    request(m.header(), "delete " + describe_sport_rule(family, ip_protocol, port, table));
  } catch (const SysError& e) {
    if (e.err() != ENOENT) throw;  // already gone: deleting is idempotent
  }
}

bool RouteSocket::link_exists(const std::string& ifname) { return if_nametoindex(ifname.c_str()) != 0; }

void RouteSocket::add_bridge(const std::string& ifname) {
  Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  m.body<ifinfomsg>()->ifi_family = AF_UNSPEC;
  m.attr_string(IFLA_IFNAME, ifname);
  const size_t info = m.begin_nested(IFLA_LINKINFO);
  m.attr_string(IFLA_INFO_KIND, "bridge");
  m.end_nested(info);
  request(m.header(), "add bridge " + ifname);
}

void RouteSocket::add_veth_pair(const std::string& ifname, const std::string& peer_ifname, int peer_netns_fd) {
  Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  m.body<ifinfomsg>()->ifi_family = AF_UNSPEC;
  m.attr_string(IFLA_IFNAME, ifname);
  const size_t info = m.begin_nested(IFLA_LINKINFO);
  m.attr_string(IFLA_INFO_KIND, "veth");
  const size_t data = m.begin_nested(IFLA_INFO_DATA);
  const size_t peer = m.begin_nested(VETH_INFO_PEER);
  m.nested_body<ifinfomsg>()->ifi_family = AF_UNSPEC;
  m.attr_string(IFLA_IFNAME, peer_ifname);
  m.attr_u32(IFLA_NET_NS_FD, uint32_t(peer_netns_fd));
  m.end_nested(peer);
  m.end_nested(data);
  m.end_nested(info);
  request(m.header(), "add veth pair " + ifname + " / " + peer_ifname);
}

void RouteSocket::move_link_to_netns(const std::string& ifname, int netns_fd) {
  Message m(RTM_NEWLINK, 0);
  auto* info = m.body<ifinfomsg>();
  info->ifi_family = AF_UNSPEC;
  info->ifi_index = link_index(ifname);
  m.attr_u32(IFLA_NET_NS_FD, uint32_t(netns_fd));
  request(m.header(), "move link " + ifname + " to another network namespace");
}

void RouteSocket::set_link_master(const std::string& ifname, const std::string& master_ifname) {
  Message m(RTM_NEWLINK, 0);
  auto* info = m.body<ifinfomsg>();
  info->ifi_family = AF_UNSPEC;
  info->ifi_index = link_index(ifname);
  m.attr_u32(IFLA_MASTER, uint32_t(link_index(master_ifname)));
  request(m.header(), "set master of " + ifname + " to " + master_ifname);
}

void RouteSocket::delete_link(const std::string& ifname) {
  const unsigned index = if_nametoindex(ifname.c_str());
  if (index == 0) return;
  Message m(RTM_DELLINK, 0);
  auto* info = m.body<ifinfomsg>();
  info->ifi_family = AF_UNSPEC;
  info->ifi_index = int(index);
  try {
    request(m.header(), "delete link " + ifname);
  } catch (const SysError& e) {
    if (e.err() != ENODEV) throw;
  }
}

}  // namespace roost::netlink
