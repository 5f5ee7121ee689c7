// roost-runtime update --resources FILE ID: new limits for the container's cgroup v2 group.
#include "cli/runtime/command.hpp"

namespace roost::cli {
namespace {

std::string id, resources_file;

void add_options(OptionParser& cmd) {
  cmd.text("-r,--resources", resources_file, "linux.resources JSON file, or - for stdin");
  cmd.argument("id", id, "container id");
}

int run(const Runtime& rt) {
  if (resources_file.empty()) throw UsageError("update needs --resources FILE (or - for stdin)");
  update_container(rt, id, resources_file);
  return 0;
}

}  // namespace

const Command kUpdateCommand{"update", "change a container's resource limits", add_options, run};

}  // namespace roost::cli
