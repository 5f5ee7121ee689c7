// The child's half of every driver: it runs in the new network namespace, where the child holds
// CAP_NET_ADMIN, and talks rtnetlink itself rather than running `ip` as rootlesskit does.
#include "ns/net/network_driver.hpp"
#include "sys/netlink.hpp"

namespace roost::ns {

void configure_child_network(const ChildNetwork& net) {
  if (net.driver == "host") return;  // the host's namespace: nothing of ours to configure
  netlink::RouteSocket rtnl;
  rtnl.set_link_up("lo");
  if (net.dev.empty() || net.configured_by_driver) return;
  // MTU before up, so no packet leaves at the default 1500 of a fresh tap.
  rtnl.set_link_mtu(net.dev, net.mtu);
  rtnl.set_link_up(net.dev);
  rtnl.add_address(net.dev, net.ip, net.prefix_length);
  rtnl.add_default_route(net.dev, net.gateway);
}

}  // namespace roost::ns
