// roost-runtime create [options] ID
#include "cli/runtime/command.hpp"
#include "cli/runtime/create_options.hpp"

namespace roost::cli {

void add_create_options(CLI::App& cmd, CreateOptions& opts) {
  cmd.add_option("-b,--bundle", opts.bundle, "path to the bundle directory (default: current directory)");
  cmd.add_option("--pid-file", opts.pid_file, "write the container's init pid to this file");
  cmd.add_option("--console-socket", opts.console_socket, "AF_UNIX socket that receives the pty master");
  cmd.add_flag("--no-pivot", opts.no_pivot, "use MS_MOVE and chroot instead of pivot_root");
  cmd.add_flag("--no-new-keyring", opts.no_new_keyring, "keep the caller's session keyring");
  cmd.add_option("--preserve-fds", opts.preserve_fds, "pass this many fds after stdio into the container")
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("id", opts.id, "container id")->required();
}

namespace {

CreateOptions opts;

void add_options(CLI::App& cmd) { add_create_options(cmd, opts); }

int run(const Runtime& rt, CLI::App&) {
  create_container(rt, opts);
  return 0;
}

}  // namespace

const Command kCreateCommand{"create", "create a container, ready to start", add_options, run};

}  // namespace roost::cli
