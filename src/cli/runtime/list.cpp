// roost-runtime list (ls) [--format table|json] [--quiet]
#include "cli/runtime/command.hpp"

namespace roost::cli {
namespace {

std::string format = "table";
bool quiet = false;

void add_options(CLI::App& cmd) {
  cmd.add_option("-f,--format", format, "table or json")->check(CLI::IsMember({"table", "json"}));
  cmd.add_flag("-q,--quiet", quiet, "ids only");
}

int run(const Runtime& rt, CLI::App&) {
  write_out(list_containers(rt, format, quiet));
  return 0;
}

}  // namespace

const Command kListCommand{"list", "list containers", add_options, run, "ls"};

}  // namespace roost::cli
