// roost-runtime: the OCI runtime command line, compatible with runc and crun. Parsing only: every
// command is one call into the container/ library.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "container/features.hpp"
#include "container/lifecycle.hpp"
#include "idmap/idmap_writer.hpp"
#include "oci/default_spec.hpp"
#include "sys/signals.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/log.hpp"

#ifndef ROOST_VERSION
#define ROOST_VERSION "0.0.0"
#endif

namespace {

void add_create_options(CLI::App* cmd, roost::CreateOptions& opts) {
  cmd->add_option("-b,--bundle", opts.bundle, "path to the bundle directory (default: current directory)");
  cmd->add_option("--pid-file", opts.pid_file, "write the container's init pid to this file");
  cmd->add_option("--console-socket", opts.console_socket, "AF_UNIX socket that receives the pty master");
  cmd->add_flag("--no-pivot", opts.no_pivot, "use MS_MOVE and chroot instead of pivot_root");
  cmd->add_flag("--no-new-keyring", opts.no_new_keyring, "keep the caller's session keyring");
  cmd->add_option("--preserve-fds", opts.preserve_fds, "pass this many fds after stdio into the container")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("id", opts.id, "container id")->required();
}

void write_out(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

}  // namespace

int main(int argc, char** argv) {
  // A hook or helper that exits before reading its stdin must not kill the runtime.
  ::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"roost-runtime: a rootless-first OCI container runtime", "roost-runtime"};
  app.require_subcommand(1);
  app.set_version_flag("-v,--version", std::string("roost-runtime version ") + ROOST_VERSION + "\nspec: 1.2.0");
  std::string root, log_file, log_format = "text", rootless_opt = "auto";
  bool debug = false, systemd_cgroup = false;
  app.add_option("--root", root, "state directory");
  app.add_option("--log", log_file, "append errors (and debug messages) to this file");
  app.add_option("--log-format", log_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--debug", debug, "print debug messages");
  app.add_flag("--systemd-cgroup", systemd_cgroup, "linux.cgroupsPath is systemd's slice:prefix:name (laid out on cgroupfs; systemd is not asked)");
  app.add_option("--rootless", rootless_opt, "auto, true or false")->check(CLI::IsMember({"auto", "true", "false"}));
  app.fallthrough();

  roost::CreateOptions create_opts;
  bool spec_rootless = false, detach = false, force = false, kill_all = false, quiet = false;
  std::string bundle_dir = ".", id, signal_name = "SIGTERM", list_format = "table";

  auto* spec_cmd = app.add_subcommand("spec", "write a new config.json into the bundle");
  spec_cmd->add_flag("--rootless", spec_rootless, "a config for an unprivileged user");
  spec_cmd->add_option("-b,--bundle", bundle_dir, "bundle directory");
  auto* create_cmd = app.add_subcommand("create", "create a container, ready to start");
  add_create_options(create_cmd, create_opts);
  auto* run_cmd = app.add_subcommand("run", "create, start and wait for a container");
  add_create_options(run_cmd, create_opts);
  run_cmd->add_flag("-d,--detach", detach, "return after start");
  roost::ExecRequest exec_req;
  auto* exec_cmd = app.add_subcommand("exec", "run another process in a running container");
  exec_cmd->add_option("-p,--process", exec_req.process_file, "a runtime-spec process JSON file");
  exec_cmd->add_flag("-t,--tty", exec_req.tty, "allocate a pseudo-terminal");
  exec_cmd->add_option("--console-socket", exec_req.console_socket, "AF_UNIX socket that receives the pty master");
  exec_cmd->add_flag("-d,--detach", exec_req.detach, "do not wait for the process");
  exec_cmd->add_option("--pid-file", exec_req.pid_file, "write the process's pid to this file");
  exec_cmd->add_option("--cwd", exec_req.cwd, "working directory in the container");
  exec_cmd->add_option("-e,--env", exec_req.env, "KEY=VALUE (repeatable)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  exec_cmd->add_option("-u,--user", exec_req.user, "uid[:gid]");
  exec_cmd->add_option("-c,--cap", exec_req.caps, "add a capability (repeatable)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  exec_cmd->add_flag("--no-new-privs", exec_req.no_new_privs, "set no_new_privs");
  exec_cmd->add_option("--preserve-fds", exec_req.preserve_fds, "pass this many fds after stdio")->check(CLI::NonNegativeNumber);
  exec_cmd->add_option("id", exec_req.id, "container id")->required();
  exec_cmd->add_option("command", exec_req.args, "command and arguments");
  exec_cmd->positionals_at_end();
  exec_cmd->prefix_command();
  auto* start_cmd = app.add_subcommand("start", "run the user's program in a created container");
  start_cmd->add_option("id", id)->required();
  auto* state_cmd = app.add_subcommand("state", "print the container's state as JSON");
  state_cmd->add_option("id", id)->required();
  auto* kill_cmd = app.add_subcommand("kill", "send a signal to the container's init");
  kill_cmd->add_flag("-a,--all", kill_all, "signal every process in the container");
  kill_cmd->add_option("id", id)->required();
  kill_cmd->add_option("signal", signal_name, "name or number (default SIGTERM)");
  auto* delete_cmd = app.add_subcommand("delete", "delete a stopped (or, with --force, any) container");
  delete_cmd->add_flag("-f,--force", force, "kill a running container first");
  delete_cmd->add_option("id", id)->required();
  auto* list_cmd = app.add_subcommand("list", "list containers");
  list_cmd->alias("ls");
  list_cmd->add_option("-f,--format", list_format, "table or json")->check(CLI::IsMember({"table", "json"}));
  list_cmd->add_flag("-q,--quiet", quiet, "ids only");
  std::string ps_format = "table";
  auto* ps_cmd = app.add_subcommand("ps", "list the processes of a container");
  ps_cmd->add_option("-f,--format", ps_format, "table or json")->check(CLI::IsMember({"table", "json"}));
  ps_cmd->add_option("id", id)->required();
  // Freezing and resource updates act on the container's own cgroup v2 group.
  auto* pause_cmd = app.add_subcommand("pause", "freeze a container's processes (cgroup v2 freezer)");
  pause_cmd->add_option("id", id)->required();
  auto* resume_cmd = app.add_subcommand("resume", "thaw a paused container");
  resume_cmd->add_option("id", id)->required();
  std::string resources_file;
  auto* update_cmd = app.add_subcommand("update", "change a container's resource limits");
  update_cmd->add_option("-r,--resources", resources_file, "linux.resources JSON file, or - for stdin")->required();
  update_cmd->add_option("id", id)->required();
  auto* features_cmd = app.add_subcommand("features", "print the features this runtime implements (JSON)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "roost-runtime: %s (see --help)\n", e.what());
    return 1;
  }

  roost::log::configure(log_file, log_format == "json" ? roost::log::Format::Json : roost::log::Format::Text, debug);
  try {
    const bool rootless = rootless_opt == "true" || (rootless_opt == "auto" && roost::running_rootless());
    roost::Runtime rt{roost::StateStore(root.empty() ? roost::StateStore::default_root(rootless) : root), rootless,
                      systemd_cgroup};

    if (spec_cmd->parsed()) {
      std::string path = bundle_dir + "/config.json";
      if (roost::path_exists(path)) throw roost::Error(path + " already exists");
      roost::write_file(path, roost::oci::default_spec_json(spec_rootless), O_CREAT | O_EXCL, 0644);
    } else if (create_cmd->parsed()) {
      roost::create_container(rt, create_opts);
    } else if (run_cmd->parsed()) {
      return roost::run_container(rt, create_opts, detach);
    } else if (exec_cmd->parsed()) {
      for (const auto& extra : exec_cmd->remaining()) exec_req.args.push_back(extra);
      if (!exec_req.args.empty() && exec_req.args.front() == "--") exec_req.args.erase(exec_req.args.begin());
      return roost::exec_in_container(rt, exec_req);
    } else if (start_cmd->parsed()) {
      roost::start_container(rt, id);
    } else if (state_cmd->parsed()) {
      write_out(roost::container_state_json(rt, id) + "\n");
    } else if (kill_cmd->parsed()) {
      roost::kill_container(rt, id, roost::parse_signal(signal_name), kill_all);
    } else if (delete_cmd->parsed()) {
      roost::delete_container(rt, id, force);
    } else if (list_cmd->parsed()) {
      write_out(roost::list_containers(rt, list_format, quiet));
    } else if (ps_cmd->parsed()) {
      write_out(roost::container_processes(rt, id, ps_format));
    } else if (pause_cmd->parsed()) {
      roost::pause_container(rt, id);
    } else if (resume_cmd->parsed()) {
      roost::resume_container(rt, id);
    } else if (update_cmd->parsed()) {
      roost::update_container(rt, id, resources_file);
    } else if (features_cmd->parsed()) {
      write_out(roost::features_json());
    }
  } catch (const std::exception& e) {
    roost::log::error(e.what());
    return 1;
  }
  return 0;
}
