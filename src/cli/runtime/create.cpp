// roost-runtime create [options] ID
#include "cli/runtime/command.hpp"
#include "cli/runtime/create_options.hpp"

namespace roost::cli {

void add_create_options(OptionParser& cmd, CreateOptions& opts) {
  cmd.text("-b,--bundle", opts.bundle, "path to the bundle directory (default: current directory)");
  cmd.text("--pid-file", opts.pid_file, "write the container's init pid to this file");
  cmd.text("--console-socket", opts.console_socket, "AF_UNIX socket that receives the pty master");
  cmd.flag("--no-pivot", opts.no_pivot, "use MS_MOVE and chroot instead of pivot_root");
  cmd.flag("--no-new-keyring", opts.no_new_keyring, "keep the caller's session keyring");
  cmd.count("--preserve-fds", opts.preserve_fds, "pass this many fds after stdio into the container");
  cmd.argument("id", opts.id, "container id");
}

namespace {

CreateOptions opts;

void add_options(OptionParser& cmd) { add_create_options(cmd, opts); }

int run(const Runtime& rt) {
  create_container(rt, opts);
  return 0;
}

}  // namespace

const Command kCreateCommand{"create", "create a container, ready to start", add_options, run};

}  // namespace roost::cli
