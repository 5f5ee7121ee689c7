// roost-runtime ps [--format table|json] ID
#include "cli/runtime/command.hpp"

namespace roost::cli {
namespace {

std::string id, format = "table";

void add_options(OptionParser& cmd) {
  cmd.text("-f,--format", format, "table or json", {"table", "json"});
  cmd.argument("id", id, "container id");
}

int run(const Runtime& rt) {
  write_out(container_processes(rt, id, format));
  return 0;
}

}  // namespace

const Command kPsCommand{"ps", "list the processes of a container", add_options, run};

}  // namespace roost::cli
