// roost-runtime kill [--all] ID [SIGNAL]
#include "cli/runtime/command.hpp"
#include "sys/signals.hpp"

namespace roost::cli {
namespace {

std::string id, signal_name = "SIGTERM";
bool all = false;

void add_options(OptionParser& cmd) {
  cmd.flag("-a,--all", all, "signal every process in the container");
  cmd.argument("id", id, "container id");
  cmd.argument("signal", signal_name, "name or number (default SIGTERM)", false);
}

int run(const Runtime& rt) {
  kill_container(rt, id, parse_signal(signal_name), all);
  return 0;
}

}  // namespace

const Command kKillCommand{"kill", "send a signal to the container's init", add_options, run};

}  // namespace roost::cli
