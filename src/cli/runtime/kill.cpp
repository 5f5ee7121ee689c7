// roost-runtime kill [--all] ID [SIGNAL]
#include "cli/runtime/command.hpp"
#include "sys/signals.hpp"

namespace roost::cli {
namespace {

std::string id, signal_name = "SIGTERM";
bool all = false;

void add_options(CLI::App& cmd) {
  cmd.add_flag("-a,--all", all, "signal every process in the container");
  cmd.add_option("id", id)->required();
  cmd.add_option("signal", signal_name, "name or number (default SIGTERM)");
}

int run(const Runtime& rt, CLI::App&) {
  kill_container(rt, id, parse_signal(signal_name), all);
  return 0;
}

}  // namespace

const Command kKillCommand{"kill", "send a signal to the container's init", add_options, run};

}  // namespace roost::cli
