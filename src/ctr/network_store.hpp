// User-defined networks as data (issue 13, "Networking"): the records `roost network create`
// writes, as podman's `network inspect` shows them, and the addresses leased to the containers on
// them. Where they live:
//   data_root/networks/networks.lock     flock, exclusive: every change below happens under it
//   data_root/networks/<name>.json       NetworkConfig (temp + rename)
//   run_root/networks/<name>/<id>.json   NetworkLease: one per container whose network is up (the
//                                        monitor takes it at start and gives it back at exit;
//                                        run_root goes at reboot, with every container's network)
// The bridges themselves live in the rootless network namespace (monitor/user_network).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/file_lock.hpp"

namespace roost::ctr {

struct NetworkSubnet {
  std::string subnet;   // "10.89.0.0/24"
  std::string gateway;  // "10.89.0.1"
  bool operator==(const NetworkSubnet&) const = default;
};

struct NetworkConfig {
  std::string name;
  std::string id;                    // 64 hex
  std::string driver = "bridge";
  std::string network_interface;     // the bridge: "roost1", "roost2", ...
  std::string created;               // RFC 3339
  std::vector<NetworkSubnet> subnets;
  bool ipv6_enabled = false;
  bool internal = false;
  bool dns_enabled = false;          // no resolver: names come from /etc/hosts
  std::map<std::string, std::string> ipam_options{{"driver", "host-local"}};
  std::map<std::string, std::string> labels;
  bool operator==(const NetworkConfig&) const = default;
};

// podman's inspect object (keys in its order; "labels" only when there are some).
std::string to_json(const NetworkConfig& network, int indent = -1);
NetworkConfig network_from_json(const std::string& text);  // roost::Error when malformed

// What `roost network create` asks for; empty strings take the defaults.
struct NetworkRequest {
  std::string name;      // "": roostN, the first N >= 1 no network has as a name or bridge
  std::string subnet;    // "": the first free 10.89.N.0/24
  std::string gateway;   // "": the subnet's first host
  bool internal = false;
  std::map<std::string, std::string> labels;
};

// True when --network's value is a mode (none, host, slirp4netns, pasta, private, bridge, ns:PATH,
// container:ID), not the name of a user-defined network; no network may be named after one.
bool is_network_mode(const std::string& network);

// One container's address on one network, and what other containers' /etc/hosts need of it.
struct NetworkLease {
  std::string container_id;
  std::string container_name;
  std::string address;     // "10.89.0.2"
  std::string hosts_file;  // the container's bundle/hosts (rewritten when a neighbour comes or goes)
  bool operator==(const NetworkLease&) const = default;
};

class NetworkStore {
 public:
  NetworkStore(std::filesystem::path data_root, std::filesystem::path run_root);

  // Checks the name (podman's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]*), the subnet (no overlap with
  // another network's) and the gateway (a host address inside it), then writes the record.
  // Errors in podman's words: "network name NAME already used: network already exists".
  NetworkConfig create(const NetworkRequest& request);
  // By exact name, or by full id or a unique id prefix (as podman resolves them).
  std::optional<NetworkConfig> find(const std::string& name_or_id) const;
  std::vector<NetworkConfig> list() const;  // sorted by name
  // Removes the record and its leases directory. The caller checks that no container uses it.
  void remove(const std::string& name);

  // The network's lock; hold it across lease() and the hosts rewrite that follows it, so that
  // two containers joining at once each see the other.
  FileLock lock() const;
  // Under lock(): the container's lease on `network` (the same one again if it has one), the
  // lowest free host address of the network's first subnet otherwise. Throws when it is full.
  NetworkLease lease(const NetworkConfig& network, const std::string& container_id,
                     const std::string& container_name, const std::string& hosts_file);
  // Under lock(): gives the lease back; none is fine.
  void release(const std::string& network, const std::string& container_id);
  // The leases of a network, ordered by address.
  std::vector<NetworkLease> leases(const std::string& network) const;

  std::filesystem::path network_file(const std::string& name) const;

 private:
  std::filesystem::path dir_, lease_dir_;
};

// The lines every container on a network gets in its /etc/hosts: "ADDRESS\tNAME SHORTID" for
// each lease (its own too, as podman's hosts file has), under a marker line; replace_network_hosts
// puts them in place of the ones a previous call wrote, keeping every other line.
std::string network_hosts_lines(const std::vector<NetworkLease>& leases);
std::string replace_network_hosts(const std::string& hosts, const std::string& network_lines);

}  // namespace roost::ctr
