// roost network ls [-q] [--format TEMPLATE]
#include "cli/engine/command.hpp"
#include "engine/network_ops.hpp"

namespace roost::cli {
namespace {

bool quiet = false;
std::string format;

void add_options(CLI::App& cmd) {
  cmd.alias("list");
  cmd.add_flag("-q,--quiet", quiet, "names only");
  cmd.add_option("--format", format, "a Go template ({{.Name}}, {{.ID}}, {{.Driver}}, {{.Subnets}} ...)");
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  const ctr::NetworkStore networks = engine::open_networks(global);
  print_out(engine::format_network_list(networks.list(), format, quiet));
  return 0;
}

}  // namespace

const EngineCommand kNetworkLsCommand{"network", "ls", "list networks", add_options, run};

}  // namespace roost::cli
