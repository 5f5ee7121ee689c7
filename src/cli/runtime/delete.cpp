// roost-runtime delete [--force] ID
#include "cli/runtime/command.hpp"

namespace roost::cli {
namespace {

std::string id;
bool force = false;

void add_options(CLI::App& cmd) {
  cmd.add_flag("-f,--force", force, "kill a running container first");
  cmd.add_option("id", id)->required();
}

int run(const Runtime& rt, CLI::App&) {
  delete_container(rt, id, force);
  return 0;
}

}  // namespace

const Command kDeleteCommand{"delete", "delete a stopped (or, with --force, any) container", add_options, run};

}  // namespace roost::cli
