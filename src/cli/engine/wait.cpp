// roost wait CTR...: each container's exit code once it has exited, one line each.
#include "cli/engine/command.hpp"
#include "engine/container_context.hpp"
#include "engine/container_stop.hpp"

namespace roost::cli {
namespace {

std::vector<std::string> names;

void add_options(CLI::App& cmd) { cmd.add_option("container", names, "names or IDs")->required(); }

int run(const engine::GlobalOptions& global, CLI::App&) {
  const ctr::ContainerStore containers = engine::open_containers(global);
  std::vector<std::string> ids;
  for (const std::string& name : names) ids.push_back(engine::require_container(containers, name));
  for (const std::string& id : ids) print_out(std::to_string(engine::wait_container(containers, id)) + "\n");
  return 0;
}

}  // namespace

const EngineCommand kWaitCommand{nullptr, "wait", "wait for containers to exit and print their exit codes", add_options, run};

}  // namespace roost::cli
