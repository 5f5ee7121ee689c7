// roost network create [--subnet CIDR] [--gateway IP] [--internal] [--label K=V]... [NAME]
#include "cli/engine/command.hpp"
#include "engine/network_ops.hpp"
#include "util/error.hpp"

namespace roost::cli {
namespace {

ctr::NetworkRequest request;
std::vector<std::string> labels;
std::string driver = "bridge";

void add_options(CLI::App& cmd) {
  cmd.add_option("-d,--driver", driver, "the network's driver (bridge, the only one)");
  cmd.add_option("--subnet", request.subnet, "its IPv4 subnet (default: the first free 10.89.N.0/24)");
  cmd.add_option("--gateway", request.gateway, "the gateway's address (default: the subnet's first)");
  cmd.add_flag("--internal", request.internal, "no default route in its containers");
  cmd.add_option("--label", labels, "a label KEY=VALUE (repeatable)");
  cmd.add_option("name", request.name, "its name (default: roostN)");
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  if (driver != "bridge") throw Error("unsupported driver " + driver + ": roost has bridge networks only");
  for (const auto& l : labels) {
    const auto eq = l.find('=');
    request.labels[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
  }
  ctr::NetworkStore networks = engine::open_networks(global);
  print_out(networks.create(request).name + "\n");
  return 0;
}

}  // namespace

const EngineCommand kNetworkCreateCommand{"network", "create", "create a network (containers on it reach each other by name)",
                                          add_options, run};

}  // namespace roost::cli
