#include "monitor/user_network.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>

#include "ctr/subnet.hpp"
#include "monitor/netns_exec.hpp"
#include "monitor/rootless_outbound.hpp"
#include "sys/netlink.hpp"
#include "sys/pause_process.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace roost::monitor {
namespace {

// The rootless network namespace: the pause process's. None lives: the user's namespace was
// stopped (roost system reset) under running containers.
struct RootlessNetns {
  sys::PauseProcess pause;
  UniqueFd netns;
};
RootlessNetns open_rootless_netns(const std::filesystem::path& run_root) {
  auto pause = sys::open_pause_process((run_root / "pause.pid").string());
  if (!pause)
    throw Error("the user's pause process (" + (run_root / "pause.pid").string() +
                ") is gone, and with it the networks' namespace: stop every container, then start them again");
  UniqueFd netns = open_netns("/proc/" + std::to_string(pause->pid) + "/ns/net");
  return {std::move(*pause), std::move(netns)};
}

int subnet_prefix(const ctr::NetworkConfig& network) {
  return ctr::parse_subnet(network.subnets.at(0).subnet).prefix;
}

ctr::NetworkConfig require_network(const ctr::NetworkStore& store, const std::string& name) {
  auto network = store.find(name);
  if (!network || network->name != name) throw Error("network " + name + " not found");
  if (network->subnets.empty()) throw Error("network " + name + " has no subnet");
  return *network;
}

// Every container on the network gets the lines for all of them. A file that is gone (a
// container removed while its lease stayed) is skipped; this container's own must be written.
void rewrite_hosts_files(const std::vector<ctr::NetworkLease>& leases, const std::string& required_file) {
  const std::string lines = ctr::network_hosts_lines(leases);
  for (const auto& l : leases) {
    try {
      const std::string old = read_file(l.hosts_file);
      // In place (O_TRUNC, same inode): the file is bind-mounted on the container's /etc/hosts.
      write_file(l.hosts_file, ctr::replace_network_hosts(old, lines), O_TRUNC);
    } catch (const Error&) {
      if (l.hosts_file == required_file) throw;
    }
  }
}

void remove_own_hosts_lines(const std::string& hosts_file) {
  try {
    const std::string old = read_file(hosts_file);
    write_file(hosts_file, ctr::replace_network_hosts(old, ""), O_TRUNC);
  } catch (const Error&) {
  }
}

}  // namespace

std::string host_veth_name(const std::string& container_id) { return "veth" + container_id.substr(0, 8); }

NetworkMember network_member(const std::string& network, const std::string& container_id,
                             const std::string& container_name, const std::string& bundle_dir,
                             const std::string& data_dir, const std::string& run_dir) {
  NetworkMember m;
  m.network = network;
  m.container_id = container_id;
  m.container_name = container_name;
  m.hosts_file = (std::filesystem::path(bundle_dir) / "hosts").string();
  m.data_root = std::filesystem::path(data_dir).parent_path().parent_path();
  m.run_root = std::filesystem::path(run_dir).parent_path().parent_path();
  return m;
}

ctr::NetworkLease connect_container(const NetworkMember& member, const std::string& netns_path) {
  ctr::NetworkStore store(member.data_root, member.run_root);
  const ctr::NetworkConfig network = require_network(store, member.network);
  const RootlessNetns rootless_ns = open_rootless_netns(member.run_root);
  const UniqueFd& rootless = rootless_ns.netns;
  const UniqueFd container = open_netns(netns_path);
  const std::string bridge = network.network_interface;
  const std::string veth = host_veth_name(member.container_id);
  const std::string& gateway = network.subnets[0].gateway;
  const int prefix = subnet_prefix(network);

  FileLock held = store.lock();
  const ctr::NetworkLease lease =
      store.lease(network, member.container_id, member.container_name, member.hosts_file);
  try {
    in_netns(rootless.get(), "the rootless network namespace", [&] {
      netlink::RouteSocket rs;
      if (!rs.link_exists(bridge)) {
        // The first container on the network since the namespace was made.
        rs.set_link_up("lo");
        rs.add_bridge(bridge);
        if (network.internal) disable_forwarding_from(bridge);
        rs.add_address(bridge, gateway, prefix);
        rs.set_link_up(bridge);
      }
      rs.delete_link(veth);  // a monitor killed with -9 leaves its veth while the netns lives
      rs.add_veth_pair(veth, "eth0", container.get());
      rs.set_link_master(veth, bridge);
      rs.set_link_up(veth);
    });
    in_netns(container.get(), "the container's network namespace " + netns_path, [&] {
      netlink::RouteSocket rs;
      rs.set_link_up("lo");
      rs.add_address("eth0", lease.address, prefix);
      rs.set_link_up("eth0");
      if (!network.internal) rs.add_default_route("eth0", gateway);
    });
    if (!network.internal) ensure_outbound(member.run_root, rootless_ns.pause, rootless.get(), store);
    rewrite_hosts_files(store.leases(network.name), member.hosts_file);
  } catch (...) {
    try {
      in_netns(rootless.get(), "the rootless network namespace", [&] { netlink::RouteSocket().delete_link(veth); });
    } catch (const std::exception&) {
    }
    store.release(network.name, member.container_id);
    stop_outbound_if_unused(member.run_root, store);
    throw;
  }
  return lease;
}

void disconnect_container(const NetworkMember& member) noexcept {
  try {
    ctr::NetworkStore store(member.data_root, member.run_root);
    FileLock held = store.lock();
    store.release(member.network, member.container_id);
    try {
      const RootlessNetns rootless = open_rootless_netns(member.run_root);
      const std::string veth = host_veth_name(member.container_id);
      in_netns(rootless.netns.get(), "the rootless network namespace", [&] { netlink::RouteSocket().delete_link(veth); });
    } catch (const std::exception&) {
      // No pause process: its namespace, and the veth with it, is gone already.
    }
    stop_outbound_if_unused(member.run_root, store);
    remove_own_hosts_lines(member.hosts_file);
    rewrite_hosts_files(store.leases(member.network), "");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "roost-monitor: leave network %s: %s\n", member.network.c_str(), e.what());
  }
}

void remove_bridge(const std::filesystem::path& run_root, const ctr::NetworkConfig& network) {
  const auto pause = sys::open_pause_process((run_root / "pause.pid").string());
  if (!pause) return;  // no namespace, no bridge
  const UniqueFd rootless = open_netns("/proc/" + std::to_string(pause->pid) + "/ns/net");
  in_netns(rootless.get(), "the rootless network namespace",
           [&] { netlink::RouteSocket().delete_link(network.network_interface); });
}

}  // namespace roost::monitor
