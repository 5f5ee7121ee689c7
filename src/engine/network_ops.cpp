#include "engine/network_ops.hpp"

#include <nlohmann/json.hpp>

#include "engine/table.hpp"
#include "engine/template.hpp"
#include "monitor/user_network.hpp"
#include "util/error.hpp"

namespace roost::engine {
namespace {

// The fields podman's Go struct has, for --format.
nlohmann::json go_fields(const ctr::NetworkConfig& n) {
  nlohmann::json subnets = nlohmann::json::array();
  for (const auto& s : n.subnets) subnets.push_back({{"Subnet", s.subnet}, {"Gateway", s.gateway}});
  return {{"Name", n.name},
          {"ID", n.id},
          {"Driver", n.driver},
          {"NetworkInterface", n.network_interface},
          {"Created", n.created},
          {"Subnets", subnets},
          {"IPv6Enabled", n.ipv6_enabled},
          {"Internal", n.internal},
          {"DNSEnabled", n.dns_enabled},
          {"IPAMOptions", n.ipam_options},
          {"Labels", n.labels}};
}

}  // namespace

ctr::NetworkStore open_networks(const GlobalOptions& global) {
  const store::StorePaths paths = store_paths(global);
  return ctr::NetworkStore(paths.data_root, paths.run_root);
}

ctr::NetworkConfig require_network(const ctr::NetworkStore& networks, const std::string& name_or_id) {
  auto n = networks.find(name_or_id);
  if (!n) throw Error("unable to find network with name or ID " + name_or_id + ": network not found");
  return *n;
}

std::vector<std::string> containers_on_network(const ctr::ContainerStore& containers, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& id : containers.list()) {
    try {
      if (containers.config(id).network == name) out.push_back(id);
    } catch (const Error&) {
      // A container removed meanwhile uses nothing.
    }
  }
  return out;
}

std::string remove_network(const GlobalOptions& global, const std::string& name_or_id,
                           void (*remove_container)(ctr::ContainerStore&, const std::string& id)) {
  ctr::NetworkStore networks = open_networks(global);
  const ctr::NetworkConfig network = require_network(networks, name_or_id);
  const store::StorePaths paths = store_paths(global);
  ctr::ContainerStore containers(paths.data_root, paths.run_root);
  const std::vector<std::string> users = containers_on_network(containers, network.name);
  if (!users.empty() && !remove_container) {
    std::string ids;
    for (const auto& id : users) ids += (ids.empty() ? "" : ", ") + id.substr(0, 12);
    throw Error("network " + network.name + " is being used by container(s) " + ids + ": network is being used");
  }
  // The bridge lives in the user's namespaces: joining them is the store's way in.
  store::enter_user_namespace(paths.run_root);
  for (const auto& id : users) remove_container(containers, id);
  monitor::remove_bridge(paths.run_root, network);
  networks.remove(network.name);
  return network.name;
}

std::string format_network_list(const std::vector<ctr::NetworkConfig>& networks, const std::string& format,
                                bool quiet) {
  std::string out;
  if (quiet) {
    for (const auto& n : networks) out += n.name + "\n";
    return out;
  }
  if (!format.empty()) {
    const Template t(format);
    for (const auto& n : networks) out += t.render(go_fields(n));
    return out;
  }
  std::vector<std::vector<std::string>> rows{{"NETWORK ID", "NAME", "DRIVER"}};
  for (const auto& n : networks) rows.push_back({n.id.substr(0, 12), n.name, n.driver});
  return format_table(rows);
}

std::string format_network_inspect(const std::vector<ctr::NetworkConfig>& networks) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& n : networks) all.push_back(nlohmann::ordered_json::parse(ctr::to_json(n)));
  return all.dump(4) + "\n";
}

}  // namespace roost::engine
