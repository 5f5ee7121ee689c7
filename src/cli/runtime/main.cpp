// roost-runtime: the OCI runtime command line, compatible with runc and crun. Parsing only: the
// global flags and the dispatch are here, each command is a file of its own (commands.cpp lists
// them) with one call into the container/ library.
//
// The command line is read with util/option_parser (getopt_long), not CLI11 as roost's other
// programs: the runtime starts once per container, and CLI11 brought iostreams and std::locale
// into its resident set and its start-up (option_parser.hpp). Global options are taken before
// the command and after it (runc's and CLI11's order: `create --root R ID` works too).
#include <signal.h>

#include <cstdio>
#include <string_view>

#include "cli/runtime/command.hpp"
#include "idmap/idmap_writer.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

#ifndef ROOST_VERSION
#define ROOST_VERSION "0.0.0"
#endif

namespace {

using roost::OptionParser;
using roost::cli::Command;

constexpr const char* kProgram = "roost-runtime";

struct GlobalOptions {
  std::string root, log_file, log_format = "text", rootless = "auto";
  bool debug = false, systemd_cgroup = false;
};

void add_global_options(OptionParser& p, GlobalOptions& g) {
  p.text("--root", g.root, "state directory");
  p.text("--log", g.log_file, "append errors (and debug messages) to this file");
  p.text("--log-format", g.log_format, "text or json", {"text", "json"});
  p.flag("--debug", g.debug, "print debug messages");
  p.flag("--systemd-cgroup", g.systemd_cgroup,
         "linux.cgroupsPath is systemd's slice:prefix:name (laid out on cgroupfs; systemd is not asked)");
  p.text("--rootless", g.rootless, "auto, true or false", {"auto", "true", "false"});
}

const Command* command_called(std::string_view name) {
  for (const Command* command : roost::cli::commands())
    if (name == command->name || (command->alias && name == command->alias)) return command;
  return nullptr;
}

std::string command_list() {
  std::string out = "Commands:\n";
  for (const Command* command : roost::cli::commands()) {
    std::string name = command->name;
    if (command->alias) name += ", " + std::string(command->alias);
    out += "  " + name + std::string(name.size() < 12 ? 12 - name.size() : 1, ' ') + command->help + "\n";
  }
  return out;
}

int usage_error(const std::string& where, const std::string& what) {
  std::fprintf(stderr, "%s: %s (see %s --help)\n", kProgram, what.c_str(), where.c_str());
  return 1;
}

int run_command(const GlobalOptions& g, const Command& command) {
  roost::log::configure(g.log_file, g.log_format == "json" ? roost::log::Format::Json : roost::log::Format::Text,
                        g.debug);
  try {
    const bool rootless = g.rootless == "true" || (g.rootless == "auto" && roost::running_rootless());
    roost::Runtime rt{roost::StateStore(g.root.empty() ? roost::StateStore::default_root(rootless) : g.root),
                      rootless, g.systemd_cgroup};
    return command.run(rt);
  } catch (const std::exception& e) {
    roost::log::error(e.what());
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // A hook or helper that exits before reading its stdin must not kill the runtime.
  ::signal(SIGPIPE, SIG_IGN);

  GlobalOptions global;
  bool version = false;
  std::string command_name;  // the first argument: parse_leading stops there and main reads it
  OptionParser main_options(kProgram, "roost-runtime: a rootless-first OCI container runtime");
  add_global_options(main_options, global);
  main_options.flag("-v,--version", version, "print the version and exit");
  main_options.argument("command", command_name, "");
  main_options.set_epilogue(command_list());

  OptionParser::Leading leading{};
  try {
    leading = main_options.parse_leading(argc, argv);
  } catch (const roost::UsageError& e) {
    return usage_error(kProgram, e.what());
  }
  const int at = leading.first_argument;
  // `-h exec` is exec's help, as `exec -h` is.
  if (leading.help && (at >= argc || !command_called(argv[at]))) {
    std::fputs(main_options.help().c_str(), stdout);
    return 0;
  }
  if (version) {
    std::printf("%s version %s\nspec: 1.2.0\n", kProgram, ROOST_VERSION);
    return 0;
  }
  if (at >= argc) return usage_error(kProgram, "a command is needed");
  const Command* command = command_called(argv[at]);
  if (!command) return usage_error(kProgram, "unknown command \"" + std::string(argv[at]) + "\"");

  const std::string usage = std::string(kProgram) + " " + command->name;
  OptionParser options(usage, command->help);
  options.set_listed(false);
  add_global_options(options, global);
  options.set_listed(true);
  command->add_options(options);
  try {
    if (leading.help || !options.parse(argc - at, argv + at)) {
      std::fputs(options.help().c_str(), stdout);
      return 0;
    }
  } catch (const roost::UsageError& e) {
    return usage_error(usage, std::string(command->name) + ": " + e.what());
  }
  return run_command(global, *command);
}
