// roost-runtime state ID
#include "cli/runtime/command.hpp"

namespace roost::cli {
namespace {

std::string id;

void add_options(OptionParser& cmd) { cmd.argument("id", id, "container id"); }

int run(const Runtime& rt) {
  write_out(container_state_json(rt, id) + "\n");
  return 0;
}

}  // namespace

const Command kStateCommand{"state", "print the container's state as JSON", add_options, run};

}  // namespace roost::cli
