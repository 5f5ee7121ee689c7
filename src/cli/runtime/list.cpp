// roost-runtime list (ls) [--format table|json] [--quiet]
#include "cli/runtime/command.hpp"

namespace roost::cli {
namespace {

std::string format = "table";
bool quiet = false;

void add_options(OptionParser& cmd) {
  cmd.text("-f,--format", format, "table or json", {"table", "json"});
  cmd.flag("-q,--quiet", quiet, "ids only");
}

int run(const Runtime& rt) {
  write_out(list_containers(rt, format, quiet));
  return 0;
}

}  // namespace

const Command kListCommand{"list", "list containers", add_options, run, "ls"};

}  // namespace roost::cli
