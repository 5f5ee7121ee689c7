// roost network create|ls|rm|inspect (issue 13, "Networking"): the records (ctr::NetworkStore),
// the containers that use a network (their config's network names it), the bridge of a removed
// network taken out of the rootless network namespace (monitor/user_network). Containers join a
// network at their start, in their monitor.
#pragma once

#include <string>
#include <vector>

#include "ctr/container_store.hpp"
#include "ctr/network_store.hpp"
#include "engine/context.hpp"

namespace roost::engine {

ctr::NetworkStore open_networks(const GlobalOptions& global);

// The network `name_or_id` names; podman's words when none does
// ("unable to find network with name or ID x: network not found").
ctr::NetworkConfig require_network(const ctr::NetworkStore& networks, const std::string& name_or_id);

// The containers (ids, oldest first) whose config names the network.
std::vector<std::string> containers_on_network(const ctr::ContainerStore& containers, const std::string& name);

// `network rm`: refused while a container uses the network ("network NAME is being used by
// container(s) ...: network is being used"), unless `remove_container` is given (-f), which is
// called for each of them first. The bridge goes from the rootless network namespace, then the
// record. Returns the network's name.
std::string remove_network(const GlobalOptions& global, const std::string& name_or_id,
                           void (*remove_container)(ctr::ContainerStore&, const std::string& id));

// `network ls`: podman's table (NETWORK ID, NAME, DRIVER), the names alone (quiet), or a Go
// template per network over podman's field names (.Name, .ID, .Driver, .NetworkInterface,
// .Created, .Subnets, .IPv6Enabled, .Internal, .DNSEnabled, .IPAMOptions, .Labels). Pure.
std::string format_network_list(const std::vector<ctr::NetworkConfig>& networks, const std::string& format,
                                bool quiet);
// `network inspect`: a JSON array of podman's objects, indented as podman does (4 spaces). Pure.
std::string format_network_inspect(const std::vector<ctr::NetworkConfig>& networks);

}  // namespace roost::engine
