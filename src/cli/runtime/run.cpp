// roost-runtime run [options] ID: create, start and wait.
#include "cli/runtime/command.hpp"
#include "cli/runtime/create_options.hpp"

namespace roost::cli {
namespace {

CreateOptions opts;
bool detach = false;
int start_gate = -1;

void add_options(OptionParser& cmd) {
  add_create_options(cmd, opts);
  cmd.flag("-d,--detach", detach, "return after start");
  cmd.count("--start-gate", start_gate,
            "roost's: after the create, start only when this inherited fd gives the byte '1' (EOF or "
            "anything else deletes the container and fails)");
}

int run(const Runtime& rt) { return run_container(rt, opts, detach, start_gate); }

}  // namespace

const Command kRunCommand{"run", "create, start and wait for a container", add_options, run};

}  // namespace roost::cli
