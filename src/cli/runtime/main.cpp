// roost-runtime: the OCI runtime command line, compatible with runc and crun. Parsing only: the
// global flags and the dispatch are here, each command is a file of its own (commands.cpp lists
// them) with one call into the container/ library.
//
// Only the command that runs is built: adding every command's options to CLI11 cost more than half
// of the user-space instructions of a whole `create`, and the runtime starts once per container.
// With no command named, an unknown one or --help, every command is built, so that help and
// errors read as they always did.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/runtime/command.hpp"
#include "idmap/idmap_writer.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

#ifndef ROOST_VERSION
#define ROOST_VERSION "0.0.0"
#endif

namespace {

using roost::cli::Command;

struct GlobalOptions {
  std::string root, log_file, log_format = "text", rootless = "auto";
  bool debug = false, systemd_cgroup = false;
};

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.require_subcommand(1);
  app.set_version_flag("-v,--version", std::string("roost-runtime version ") + ROOST_VERSION + "\nspec: 1.2.0");
  app.add_option("--root", g.root, "state directory");
  app.add_option("--log", g.log_file, "append errors (and debug messages) to this file");
  app.add_option("--log-format", g.log_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--debug", g.debug, "print debug messages");
  app.add_flag("--systemd-cgroup", g.systemd_cgroup, "linux.cgroupsPath is systemd's slice:prefix:name (laid out on cgroupfs; systemd is not asked)");
  app.add_option("--rootless", g.rootless, "auto, true or false")->check(CLI::IsMember({"auto", "true", "false"}));
  // Global flags may also follow the command (runc's order: `create --root R ID` works too).
  app.fallthrough();
}

const Command* command_called(std::string_view name) {
  for (const Command* command : roost::cli::commands())
    if (name == command->name || (command->alias && name == command->alias)) return command;
  return nullptr;
}

// The command argv names, read as CLI11 will read it: global options (asked of `app`, which has
// them all) and their values are skipped, a value being the next argument whatever it looks like
// unless given as --opt=value; the first other argument is the command. nullptr for anything
// else (no command, an unknown one, -h/--help, -v/--version, an option that is not global).
const Command* command_to_build(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") return nullptr;
  }
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.size() > 2 && arg.starts_with("--")) {
      const auto eq = arg.find('=');
      const CLI::Option* opt = app.get_option_no_throw(std::string(arg.substr(0, eq)));
      if (!opt || opt == app.get_help_ptr() || opt == app.get_version_ptr()) return nullptr;
      const int takes = std::min(opt->get_type_size_min(), opt->get_items_expected_min());
      if (takes != opt->get_items_expected_max()) return nullptr;  // optional values: leave it to CLI11
      const bool value_attached = eq != std::string_view::npos && eq + 1 < arg.size();
      if (takes > 0 && !value_attached) i += takes;
      continue;
    }
    if (arg.size() > 1 && arg.starts_with("-")) return nullptr;  // -v, -h, or not a global option
    return command_called(arg);
  }
  return nullptr;
}

int parse_error(const CLI::App& app, const CLI::ParseError& e) {
  if (e.get_exit_code() == 0) return app.exit(e);
  std::fprintf(stderr, "roost-runtime: %s (see --help)\n", e.what());
  return 1;
}

int run_command(const GlobalOptions& g, const Command& command, CLI::App& cmd) {
  roost::log::configure(g.log_file, g.log_format == "json" ? roost::log::Format::Json : roost::log::Format::Text,
                        g.debug);
  try {
    const bool rootless = g.rootless == "true" || (g.rootless == "auto" && roost::running_rootless());
    roost::Runtime rt{roost::StateStore(g.root.empty() ? roost::StateStore::default_root(rootless) : g.root),
                      rootless, g.systemd_cgroup};
    return command.run(rt, cmd);
  } catch (const std::exception& e) {
    roost::log::error(e.what());
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // A hook or helper that exits before reading its stdin must not kill the runtime.
  ::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"roost-runtime: a rootless-first OCI container runtime", "roost-runtime"};
  GlobalOptions global;
  add_global_options(app, global);
  const Command* only = command_to_build(app, argc, argv);
  std::vector<std::pair<const Command*, CLI::App*>> built;
  for (const Command* command : roost::cli::commands()) {
    if (only && command != only) continue;
    CLI::App* cmd = app.add_subcommand(command->name, command->help);
    if (command->alias) cmd->alias(command->alias);
    command->add_options(*cmd);
    built.emplace_back(command, cmd);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  for (const auto& [command, cmd] : built)
    if (cmd->parsed()) return run_command(global, *command, *cmd);
  return 0;
}
