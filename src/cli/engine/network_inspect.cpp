// roost network inspect [--format TEMPLATE] NETWORK...
#include <cstdio>
#include <optional>

#include "cli/engine/command.hpp"
#include "engine/network_ops.hpp"
#include "engine/template.hpp"
#include "util/error.hpp"

namespace roost::cli {
namespace {

std::vector<std::string> names;
std::string format;

void add_options(CLI::App& cmd) {
  cmd.add_option("-f,--format", format, "a Go template over podman's inspect object ({{.name}}, {{.subnets}} ...)");
  cmd.add_option("network", names, "names or IDs")->required();
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  const ctr::NetworkStore networks = engine::open_networks(global);
  std::vector<ctr::NetworkConfig> found;
  std::vector<std::string> errors;
  for (const auto& name : names) {
    try {
      found.push_back(engine::require_network(networks, name));
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  if (!format.empty() && format != "json") {
    const engine::Template t(format);
    for (const auto& n : found) print_out(t.render(nlohmann::json::parse(ctr::to_json(n))));
  } else {
    print_out(engine::format_network_inspect(found));
  }
  for (size_t i = 0; i + 1 < errors.size(); ++i) std::fprintf(stderr, "Error: %s\n", errors[i].c_str());
  if (!errors.empty()) throw Error(errors.back());
  return 0;
}

}  // namespace

const EngineCommand kNetworkInspectCommand{"network", "inspect", "show networks as JSON", add_options, run};

}  // namespace roost::cli
