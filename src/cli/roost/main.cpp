// roost: one program for roost's commands. `roost ns ...` is the rootlesskit-compatible fake root,
// which is the static roost-ns program beside this one (exec'd at once, before anything else is
// set up: src/cli/roost/ns_exec.cpp); the container and image commands (src/cli/engine/, one file each) are
// parsed here with CLI11, building only the command that runs.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/engine/command.hpp"
#include "cli/roost/ns_exec.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

#ifndef ROOST_VERSION
#define ROOST_VERSION "0.0.0"
#endif

namespace {

using roost::cli::EngineCommand;

std::string usage() {
  std::string out =
      "Usage: roost [--root DIR] [--runroot DIR] COMMAND [ARGS...]\n"
      "\n"
      "Commands:\n";
  for (const EngineCommand* c : roost::cli::engine_commands()) {
    std::string name = c->group ? std::string(c->group) + " " + c->name : c->name;
    name.resize(std::max<size_t>(name.size() + 1, 27), ' ');
    out += "  " + name + c->help + "\n";
  }
  out +=
      "  ns [FLAGS] CMD [ARGS...]   run CMD as a fake root (rootlesskit-compatible; roost ns --help)\n"
      "  ns ctl COMMAND             list-ports, add-ports, remove-ports, info of a running roost ns\n"
      "\n"
      "  --root DIR                 the store's data root (ROOST_ROOT; default ~/.local/share/roost)\n"
      "  --runroot DIR              the store's run-time root (ROOST_RUNROOT; default $XDG_RUNTIME_DIR/roost)\n"
      "  --help, -h                 show this help (COMMAND --help: its options)\n"
      "  --version, -v              print the version\n"
      "\n"
      "roost ns is the roost-ns program beside roost; `rootlesskit` is a symlink to it.\n";
  return out;
}

bool is_global_with_value(std::string_view arg) { return arg == "--root" || arg == "--runroot"; }

// The command the words name, past the global options: "pull", "image inspect", "container ls"
// (an alias), ...; nullptr for none or an unknown one. `group` and `name` are the words as typed.
const EngineCommand* command_called(int argc, char** argv, int& at, std::string& group, std::string& name) {
  int i = 1;
  while (i < argc) {
    std::string_view a = argv[i];
    if (is_global_with_value(a)) {
      i += 2;
    } else if (a.starts_with("--root=") || a.starts_with("--runroot=")) {
      ++i;
    } else {
      break;
    }
  }
  at = i;
  if (i >= argc) return nullptr;
  const std::string_view first = argv[i];
  const std::string_view second = i + 1 < argc ? argv[i + 1] : "";
  for (const EngineCommand* c : roost::cli::engine_commands()) {
    if (!c->group && first == c->name) {
      name = c->name;
      return c;
    }
    if (c->group && first == c->group && second == c->name) {
      group = c->group, name = c->name;
      return c;
    }
  }
  for (const roost::cli::CommandAlias& a : roost::cli::command_aliases()) {
    if (first == a.group && second == a.name) {
      group = a.group, name = a.name;
      return a.command;
    }
  }
  return nullptr;
}

// A group's commands ("roost volume" alone), as podman lists them when the command is missing.
std::string group_usage(std::string_view group) {
  std::string out = "Usage: roost " + std::string(group) + " COMMAND [ARGS...]\n\nCommands:\n";
  auto line = [&](const std::string& name, const std::string& help) {
    std::string padded = name;
    padded.resize(std::max<size_t>(padded.size() + 1, 12), ' ');
    out += "  " + padded + help + "\n";
  };
  for (const EngineCommand* c : roost::cli::engine_commands())
    if (c->group && group == c->group) line(c->name, c->help);
  for (const roost::cli::CommandAlias& a : roost::cli::command_aliases())
    if (group == a.group) line(a.name, a.command->help);
  return out;
}

bool is_group(std::string_view word) {
  for (const EngineCommand* c : roost::cli::engine_commands())
    if (c->group && word == c->group) return true;
  for (const roost::cli::CommandAlias& a : roost::cli::command_aliases())
    if (word == a.group) return true;
  return false;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "Error: %s\n", message.c_str());
  return 125;
}

}  // namespace

int main(int argc, char** argv) {
  // `roost ns` never gets here: src/cli/roost/ns_exec.cpp hands it over before static initializers.
  ::signal(SIGPIPE, SIG_IGN);
  roost::log::set_program_name("roost");

  int at = 1;
  std::string group, name;
  const EngineCommand* command = command_called(argc, argv, at, group, name);
  if (!command) {
    const std::string word = at < argc ? argv[at] : "";
    if (word.empty()) {
      std::fputs(usage().c_str(), stderr);
      return 125;
    }
    if (word == "--help" || word == "-h" || word == "help") {
      std::fputs(usage().c_str(), stdout);
      return 0;
    }
    if (word == "--version" || word == "-v") {
      std::printf("roost version %s\n", ROOST_VERSION);
      return 0;
    }
    if (is_group(word)) {
      const std::string sub = at + 1 < argc ? argv[at + 1] : "";
      if (sub == "--help" || sub == "-h" || sub == "help") {
        std::fputs(group_usage(word).c_str(), stdout);
        return 0;
      }
      if (sub.empty()) {  // as podman: the usage on stdout, one error line on stderr
        std::fputs(group_usage(word).c_str(), stdout);
        return fail("missing command 'roost " + word + " COMMAND'");
      }
      return fail("unknown command \"" + word + " " + sub + "\" (roost " + word + " --help lists them)");
    }
    return fail("unknown command \"" + word + "\" (roost --help lists the commands)");
  }

  CLI::App app{"roost: rootless containers", "roost"};
  roost::engine::GlobalOptions global;
  app.add_option("--root", global.root, "the store's data root")->envname("ROOST_ROOT");
  app.add_option("--runroot", global.run_root, "the store's run-time root")->envname("ROOST_RUNROOT");
  app.require_subcommand(1);
  CLI::App* parent = &app;
  if (!group.empty()) {
    parent = app.add_subcommand(group, "roost " + group + " commands");
    parent->require_subcommand(1);
  }
  CLI::App* cmd = parent->add_subcommand(name, command->help);
  command->add_options(*cmd);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    return fail(e.what());
  }
  try {
    return command->run(global, *cmd);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}
