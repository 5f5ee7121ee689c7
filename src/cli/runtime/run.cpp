// roost-runtime run [options] ID: create, start and wait.
#include "cli/runtime/command.hpp"
#include "cli/runtime/create_options.hpp"

namespace roost::cli {
namespace {

CreateOptions opts;
bool detach = false;

void add_options(OptionParser& cmd) {
  add_create_options(cmd, opts);
  cmd.flag("-d,--detach", detach, "return after start");
}

int run(const Runtime& rt) { return run_container(rt, opts, detach); }

}  // namespace

const Command kRunCommand{"run", "create, start and wait for a container", add_options, run};

}  // namespace roost::cli
