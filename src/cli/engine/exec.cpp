// roost exec [-i] [-t] [-d] [-e K[=V]] [-u USER] [-w DIR] CTR CMD...
#include "cli/engine/command.hpp"
#include "engine/container_context.hpp"
#include "engine/container_exec.hpp"
#include "util/error.hpp"

extern char** environ;

namespace roost::cli {
namespace {

engine::ExecRequest request;

void add_options(CLI::App& cmd) {
  cmd.prefix_command();
  cmd.add_flag("-i,--interactive", request.interactive, "give the command roost's stdin");
  cmd.add_flag("-t,--tty", request.tty, "give the command a pseudo-terminal");
  cmd.add_flag("-d,--detach", request.detach, "do not wait for the command");
  cmd.add_option("-e,--env", request.env, "KEY=VALUE, or KEY (from roost's environment)")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd.add_option("-u,--user", request.user, "user[:group], names or numbers");
  cmd.add_option("-w,--workdir", request.workdir, "working directory in the container");
}

int run(const engine::GlobalOptions& global, CLI::App& cmd) {
  std::vector<std::string> rest = cmd.remaining();
  if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
  if (rest.size() < 2) throw Error("exec requires the name or ID of a container and a command to run");
  request.container = rest.front();
  request.args.assign(rest.begin() + 1, rest.end());
  request.host_env = environ;
  const ctr::ContainerStore containers = engine::open_containers(global);
  return engine::exec_in_container(containers, request);
}

}  // namespace

const EngineCommand kExecCommand{nullptr, "exec", "run a process in a running container", add_options, run};

}  // namespace roost::cli
