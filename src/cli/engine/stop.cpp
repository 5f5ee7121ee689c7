// roost stop [-t SECS] CTR...: the stop signal, SIGKILL after the timeout; each name printed.
#include <cstdio>

#include "cli/engine/command.hpp"
#include "engine/container_context.hpp"
#include "engine/container_stop.hpp"
#include "util/error.hpp"

namespace roost::cli {
namespace {

std::vector<std::string> names;
int timeout = -1;

void add_options(CLI::App& cmd) {
  cmd.add_option("-t,--time", timeout, "seconds to wait before SIGKILL (default: the container's --stop-timeout)");
  cmd.add_option("container", names, "names or IDs")->required();
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  ctr::ContainerStore containers = engine::open_containers(global);
  return for_each_container(containers, names, [&](const std::string& id) { engine::stop_container(containers, id, timeout >= 0 ? std::optional<int>(timeout) : std::nullopt); });
}

}  // namespace

const EngineCommand kStopCommand{nullptr, "stop", "stop running containers", add_options, run};

}  // namespace roost::cli
