// A container on a user-defined network (roost network create; issue 13, "Networking"), set up by
// its monitor. Every network of a user has a bridge (its network_interface, with the gateway's
// address) in the user's rootless network namespace: the pause process's (sys/pause_process),
// which every command and monitor of the user can join, since they all share its user namespace.
// A container gets its own network namespace (made by the caller), joined to the bridge by a veth
// pair: "vethXXXXXXXX" (the id's first 8 digits) on the bridge, eth0 inside with the leased
// address and, unless the network is internal, a default route via the gateway. Names: every
// container on the network has /etc/hosts lines for every container on it (ctr::NetworkStore's
// leases), rewritten in place (the files are bind-mounted) as containers come and go.
//
// Unless the network is internal, the first container on it starts the rootless network
// namespace's way out and the last one stops it (monitor/rootless_outbound). No DNS server
// (dns_enabled is false): names come from /etc/hosts.
#pragma once

#include <filesystem>
#include <string>

#include "ctr/network_store.hpp"

namespace roost::monitor {

struct NetworkMember {
  std::string network;             // the network's name
  std::string container_id;
  std::string container_name;
  std::string hosts_file;          // the bundle's hosts file (bind-mounted on /etc/hosts)
  std::filesystem::path data_root; // store::StorePaths's: networks/ records
  std::filesystem::path run_root;  // pause.pid, networks/ leases
};

// Where data_root and run_root are, from the container's data dir (data_root/containers/<id>)
// and run dir (run_root/containers/<id>), as docs/ARCHITECTURE.md (roost's containers) places them.
NetworkMember network_member(const std::string& network, const std::string& container_id,
                             const std::string& container_name, const std::string& bundle_dir,
                             const std::string& data_dir, const std::string& run_dir);

// Leases an address, makes the bridge when it is missing, the veth pair, eth0's address and route
// inside `netns_path` (a bound network namespace with nothing in it yet), then rewrites the hosts
// files of every container on the network. Must run in the user's user namespace as its root.
// roost::Error as one line, with nothing left behind.
ctr::NetworkLease connect_container(const NetworkMember& member, const std::string& netns_path);

// The veth goes, the lease is given back, the others' hosts files lose the container's line.
// Idempotent; never throws (the container is going whatever happens).
void disconnect_container(const NetworkMember& member) noexcept;

// `roost network rm`: the network's bridge goes from the rootless network namespace (if the
// pause process, and so the namespace, still lives).
void remove_bridge(const std::filesystem::path& run_root, const ctr::NetworkConfig& network);

// The veth's name on the bridge for a container.
std::string host_veth_name(const std::string& container_id);

}  // namespace roost::monitor
