// roost-runtime exec [options] ID [COMMAND ARGS...]
#include "cli/runtime/command.hpp"

namespace roost::cli {
namespace {

ExecRequest req;

// -e and -c take one value each time they are given, so that a command after them is not eaten.
void repeatable(CLI::Option* option) {
  option->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

void add_options(CLI::App& cmd) {
  cmd.add_option("-p,--process", req.process_file, "a runtime-spec process JSON file");
  cmd.add_flag("-t,--tty", req.tty, "allocate a pseudo-terminal");
  cmd.add_option("--console-socket", req.console_socket, "AF_UNIX socket that receives the pty master");
  cmd.add_flag("-d,--detach", req.detach, "do not wait for the process");
  cmd.add_option("--pid-file", req.pid_file, "write the process's pid to this file");
  cmd.add_option("--cwd", req.cwd, "working directory in the container");
  repeatable(cmd.add_option("-e,--env", req.env, "KEY=VALUE (repeatable)"));
  cmd.add_option("-u,--user", req.user, "uid[:gid]");
  repeatable(cmd.add_option("-c,--cap", req.caps, "add a capability (repeatable)"));
  cmd.add_flag("--no-new-privs", req.no_new_privs, "set no_new_privs");
  cmd.add_option("--preserve-fds", req.preserve_fds, "pass this many fds after stdio")->check(CLI::NonNegativeNumber);
  cmd.add_option("id", req.id, "container id")->required();
  cmd.add_option("command", req.args, "command and arguments");
  cmd.positionals_at_end();
  cmd.prefix_command();
}

int run(const Runtime& rt, CLI::App& cmd) {
  for (const auto& extra : cmd.remaining()) req.args.push_back(extra);
  if (!req.args.empty() && req.args.front() == "--") req.args.erase(req.args.begin());
  return exec_in_container(rt, req);
}

}  // namespace

const Command kExecCommand{"exec", "run another process in a running container", add_options, run};

}  // namespace roost::cli
