// roost-runtime exec [options] ID [COMMAND ARGS...]
#include "cli/runtime/command.hpp"

namespace roost::cli {
namespace {

ExecRequest req;

void add_options(OptionParser& cmd) {
  cmd.text("-p,--process", req.process_file, "a runtime-spec process JSON file");
  cmd.flag("-t,--tty", req.tty, "allocate a pseudo-terminal");
  cmd.text("--console-socket", req.console_socket, "AF_UNIX socket that receives the pty master");
  cmd.flag("-d,--detach", req.detach, "do not wait for the process");
  cmd.text("--pid-file", req.pid_file, "write the process's pid to this file");
  cmd.text("--cwd", req.cwd, "working directory in the container");
  cmd.texts("-e,--env", req.env, "KEY=VALUE (repeatable)");
  cmd.text("-u,--user", req.user, "uid[:gid]");
  cmd.texts("-c,--cap", req.caps, "add a capability (repeatable)");
  cmd.flag("--no-new-privs", req.no_new_privs, "set no_new_privs");
  cmd.count("--preserve-fds", req.preserve_fds, "pass this many fds after stdio");
  cmd.argument("id", req.id, "container id");
  cmd.rest("command", req.args, "command and arguments (or --process)");
  // runc's order: options, the id, then the command with options of its own.
  cmd.stop_at_first_argument();
}

int run(const Runtime& rt) {
  if (!req.args.empty() && req.args.front() == "--") req.args.erase(req.args.begin());
  return exec_in_container(rt, req);
}

}  // namespace

const Command kExecCommand{"exec", "run another process in a running container", add_options, run};

}  // namespace roost::cli
