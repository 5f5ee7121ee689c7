// roost-runtime ps [--format table|json] ID
#include "cli/runtime/command.hpp"

namespace roost::cli {
namespace {

std::string id, format = "table";

void add_options(CLI::App& cmd) {
  cmd.add_option("-f,--format", format, "table or json")->check(CLI::IsMember({"table", "json"}));
  cmd.add_option("id", id)->required();
}

int run(const Runtime& rt, CLI::App&) {
  write_out(container_processes(rt, id, format));
  return 0;
}

}  // namespace

const Command kPsCommand{"ps", "list the processes of a container", add_options, run};

}  // namespace roost::cli
