// roost-runtime delete [--force] ID
#include "cli/runtime/command.hpp"

namespace roost::cli {
namespace {

std::string id;
bool force = false;

void add_options(OptionParser& cmd) {
  cmd.flag("-f,--force", force, "kill a running container first");
  cmd.argument("id", id, "container id");
}

int run(const Runtime& rt) {
  delete_container(rt, id, force);
  return 0;
}

}  // namespace

const Command kDeleteCommand{"delete", "delete a stopped (or, with --force, any) container", add_options, run};

}  // namespace roost::cli
