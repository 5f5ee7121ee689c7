// rtnetlink (netlink(7), rtnetlink(7)) for the few things roost configures in a network namespace
// of its own: links up, MTU, addresses, routes and policy rules; for user-defined networks, bridges
// and veth pairs across namespaces. Each call is one request that the
// kernel acknowledges; a refusal throws roost::SysError with the kernel's errno and what was asked
// ("add address 10.0.2.100/24 to tap0: EEXIST").
#pragma once

#include <cstdint>
#include <string>

#include "util/unique_fd.hpp"

namespace roost::netlink {

class RouteSocket {
 public:
  RouteSocket();  // NETLINK_ROUTE in the caller's current network namespace

  int link_index(const std::string& ifname);          // throws if there is no such link
  void set_link_up(const std::string& ifname);
  void set_link_mtu(const std::string& ifname, int mtu);
  // `address` is IPv4 or IPv6 text.
  void add_address(const std::string& ifname, const std::string& address, int prefix_length);
  // A default route via `gateway` (IPv4 or IPv6) out of `ifname`.
  void add_default_route(const std::string& ifname, const std::string& gateway);
  // A route of type local for the whole family (0.0.0.0/0 or ::/0) on `ifname` in `table`: with a
  // rule pointing at the table, matching packets are delivered to sockets on this host, as a
  // transparent proxy's replies must be.
  void add_local_default_route(int family, const std::string& ifname, uint32_t table);
  // A policy rule "from all ipproto PROTO sport PORT lookup TABLE" (IPPROTO_TCP or IPPROTO_UDP;
  // FRA_IP_PROTO and FRA_SPORT_RANGE, Linux 4.17). EEXIST is not an error: the rule is there.
  void add_sport_rule(int family, int ip_protocol, int port, uint32_t table, uint32_t priority);
  // ENOENT is not an error either: deleting is idempotent.
  void delete_sport_rule(int family, int ip_protocol, int port, uint32_t table, uint32_t priority);

  // True when this namespace has a link of that name.
  bool link_exists(const std::string& ifname);
  // A bridge (kind "bridge", the kernel's defaults: no STP, so a port forwards at once).
  void add_bridge(const std::string& ifname);
  // A veth pair: `ifname` here, its peer `peer_ifname` made directly in the network namespace
  // `peer_netns_fd` (IFLA_NET_NS_FD), so the peer's name never meets this namespace's names.
  void add_veth_pair(const std::string& ifname, const std::string& peer_ifname, int peer_netns_fd);
  // Moves a link of this namespace into another one, named by an fd of its.
  void move_link_to_netns(const std::string& ifname, int netns_fd);
  // Enslaves `ifname` to `master_ifname` (a bridge port).
  void set_link_master(const std::string& ifname, const std::string& master_ifname);
  // ENODEV is not an error: the link is gone already (deleting is idempotent).
  void delete_link(const std::string& ifname);

 private:
  // Sends one request and waits for its ack; throws SysError(doing, -ack.error).
  void request(void* message, const std::string& doing);
  UniqueFd fd_;
  uint32_t sequence_ = 0;
};

}  // namespace roost::netlink
