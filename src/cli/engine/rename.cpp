// roost rename CTR NEW_NAME
#include "cli/engine/command.hpp"
#include "engine/container_context.hpp"

namespace roost::cli {
namespace {

std::string name, new_name;

void add_options(CLI::App& cmd) {
  cmd.add_option("container", name, "name or ID")->required();
  cmd.add_option("name", new_name, "the new name")->required();
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  ctr::ContainerStore containers = engine::open_containers(global);
  containers.rename(engine::require_container(containers, name), new_name);
  return 0;
}

}  // namespace

const EngineCommand kRenameCommand{nullptr, "rename", "rename a container", add_options, run};

}  // namespace roost::cli
