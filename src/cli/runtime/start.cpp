// roost-runtime start ID
#include "cli/runtime/command.hpp"

namespace roost::cli {
namespace {

std::string id;

void add_options(OptionParser& cmd) { cmd.argument("id", id, "container id"); }

int run(const Runtime& rt) {
  start_container(rt, id);
  return 0;
}

}  // namespace

const Command kStartCommand{"start", "run the user's program in a created container", add_options, run};

}  // namespace roost::cli
