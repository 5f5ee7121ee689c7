#include "cli/engine/container_flags.hpp"

#include <unistd.h>

#include <filesystem>

#include "check/host_check.hpp"
#include "util/error.hpp"

extern char** environ;

namespace roost::cli {
namespace {

// Strings an optional flag was bound to before finish_container_request makes them optional.
struct Optionals {
  std::string entrypoint, workdir, user;
};
Optionals optionals;

CLI::Option* many(CLI::Option* option) {
  return option->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

// --memory, --cpus and --pids-limit need a cgroup v2 subtree delegated to the caller; where there
// is none, the one line says why and gives `roost check`'s fix.
void refuse_limits_without_cgroup(const engine::CreateRequest& r) {
  const char* flag = !r.memory.empty() ? "--memory" : !r.cpus.empty() ? "--cpus" : r.pids_limit ? "--pids-limit" : nullptr;
  if (!flag) return;
  const check::CheckResult cgroups = check::check_cgroups(check::HostRoot{}, check::Caller::current());
  if (cgroups.status == check::CheckStatus::Ok) return;
  throw Error(std::string(flag) + " needs a cgroup v2 delegated to you: " + cgroups.detail +
              (cgroups.fix.empty() ? "" : ": " + cgroups.fix.text()) + " (roost check)");
}

}  // namespace

void add_container_flags(CLI::App& cmd, engine::CreateRequest& r) {
  cmd.set_help_flag("--help", "show this help");
  cmd.prefix_command();
  cmd.add_flag("-i,--interactive", r.interactive, "keep the container's stdin open");
  cmd.add_flag("-t,--tty", r.tty, "give the container a pseudo-terminal");
  cmd.add_flag("--rm", r.auto_remove, "remove the container when it exits");
  cmd.add_option("--name", r.name, "the container's name");
  many(cmd.add_option("-p,--publish", r.publish, "[ip:][hostPort:]containerPort[/tcp|udp]"));
  cmd.add_flag("-P,--publish-all", r.publish_all, "publish every exposed port on a free host port");
  many(cmd.add_option("-v,--volume", r.volumes, "SRC:DST[:ro|rw|z|U], or DST (an anonymous volume)"));
  many(cmd.add_option("--mount", r.mounts, "type=bind|volume|tmpfs,src=...,dst=...[,ro]"));
  many(cmd.add_option("--tmpfs", r.tmpfs, "DST[:options]"));
  many(cmd.add_option("-e,--env", r.env, "KEY=VALUE, or KEY (from roost's environment)"));
  many(cmd.add_option("--env-file", r.env_files, "a file of KEY=VALUE lines"));
  cmd.add_option("-w,--workdir", optionals.workdir, "the process's working directory");
  cmd.add_option("-u,--user", optionals.user, "user[:group], names or numbers");
  cmd.add_option("--entrypoint", optionals.entrypoint, "replaces the image's entrypoint (\"\" clears it)");
  cmd.add_option("--network,--net", r.network, "none, host, slirp4netns (default) or pasta");
  cmd.add_option("-h,--hostname", r.hostname, "the container's host name (default: its short ID)");
  many(cmd.add_option("--add-host", r.add_hosts, "NAME:IP in the container's /etc/hosts"));
  many(cmd.add_option("--dns", r.dns, "a DNS server for the container's /etc/resolv.conf"));
  cmd.add_flag("--read-only", r.read_only, "mount the container's root file system read-only");
  many(cmd.add_option("--cap-add", r.cap_add, "add a capability (or ALL)"));
  many(cmd.add_option("--cap-drop", r.cap_drop, "drop a capability (or ALL)"));
  many(cmd.add_option("--security-opt", r.security_opts, "seccomp=FILE|unconfined, no-new-privileges"));
  cmd.add_flag("--privileged", r.privileged, "every capability the user namespace has, no seccomp, no masked paths");
  cmd.add_option("-m,--memory", r.memory, "memory limit (512m, 1g; needs a delegated cgroup v2)");
  cmd.add_option("--cpus", r.cpus, "CPU limit (1.5; needs a delegated cgroup v2)");
  cmd.add_option("--pids-limit", r.pids_limit, "process limit (needs a delegated cgroup v2)");
  cmd.add_option("--restart", r.restart, "no, on-failure[:N], always, unless-stopped");
  cmd.add_flag("--init", r.init, "run a tiny init as PID 1 that reaps zombies and forwards signals");
  cmd.add_option("--pull", r.pull, "missing (default), always or never")->check(CLI::IsMember({"missing", "always", "never"}));
  cmd.add_option("--stop-signal", r.stop_signal, "the signal stop sends first (default: the image's, else SIGTERM)");
  cmd.add_option("--stop-timeout", r.stop_timeout, "seconds stop waits before SIGKILL (default 10)");
  many(cmd.add_option("-l,--label", r.labels, "KEY=VALUE"));
  cmd.add_option("--userns", r.userns, "\"\" or host (keep-id and nomap: not yet)");
  many(cmd.add_option("--uidmap", r.uid_maps, "CONTAINER:HOST:SIZE (not yet)"));
  many(cmd.add_option("--gidmap", r.gid_maps, "CONTAINER:HOST:SIZE (not yet)"));
}

void finish_container_request(CLI::App& cmd, engine::CreateRequest& r) {
  std::vector<std::string> rest = cmd.remaining();
  if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
  if (rest.empty()) throw Error("requires at least 1 arg(s), only received 0");
  // prefix_command hands an unknown flag before the image over as if it were the image.
  if (rest.front().size() > 1 && rest.front()[0] == '-') throw Error("unknown flag: " + rest.front());
  r.image = rest.front();
  r.command.assign(rest.begin() + 1, rest.end());
  if (cmd.count("--entrypoint")) r.entrypoint = optionals.entrypoint;
  if (cmd.count("--workdir")) r.workdir = optionals.workdir;
  if (cmd.count("--user")) r.user = optionals.user;
  std::error_code ec;
  r.cwd = std::filesystem::current_path(ec);
  r.host_env = environ;
  refuse_limits_without_cgroup(r);
}

}  // namespace roost::cli
