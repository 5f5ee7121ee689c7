// roost-runtime update --resources FILE ID: new limits for the container's cgroup v2 group.
#include "cli/runtime/command.hpp"

namespace roost::cli {
namespace {

std::string id, resources_file;

void add_options(CLI::App& cmd) {
  cmd.add_option("-r,--resources", resources_file, "linux.resources JSON file, or - for stdin")->required();
  cmd.add_option("id", id)->required();
}

int run(const Runtime& rt, CLI::App&) {
  update_container(rt, id, resources_file);
  return 0;
}

}  // namespace

const Command kUpdateCommand{"update", "change a container's resource limits", add_options, run};

}  // namespace roost::cli
