// roost kill [-s SIG] CTR...
#include <cstdio>

#include "cli/engine/command.hpp"
#include "engine/container_context.hpp"
#include "engine/container_stop.hpp"
#include "util/error.hpp"
#include "sys/signals.hpp"

namespace roost::cli {
namespace {

std::vector<std::string> names;
std::string signal_name = "KILL";

void add_options(CLI::App& cmd) {
  cmd.add_option("-s,--signal", signal_name, "the signal (default KILL)");
  cmd.add_option("container", names, "names or IDs")->required();
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  const int signal = parse_signal(signal_name);
  ctr::ContainerStore containers = engine::open_containers(global);
  return for_each_container(containers, names, [&](const std::string& id) { engine::kill_container(containers, id, signal); });
}

}  // namespace

const EngineCommand kKillCommand{nullptr, "kill", "signal running containers", add_options, run};

}  // namespace roost::cli
