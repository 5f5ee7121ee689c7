// One roost-runtime command: its name and help as `--help` lists them, the options it declares and
// what it runs. Each command is one file (create.cpp, kill.cpp ...) defining one
// of these; commands.cpp lists them in the order --help shows them. A command's options live in
// its own file, bound to its OptionParser by add_options and read by run.
#pragma once

#include <span>
#include <string>

#include "container/lifecycle.hpp"
#include "util/option_parser.hpp"

namespace roost::cli {

struct Command {
  const char* name;
  const char* help;
  void (*add_options)(OptionParser& options);
  // The exit code of roost-runtime; an error is thrown (and printed by main as one line).
  int (*run)(const Runtime& rt);
  const char* alias = nullptr;
};

// Every command, in --help's order.
std::span<const Command* const> commands();

// Writes text to stdout as it is (no newline added).
void write_out(const std::string& text);

extern const Command kSpecCommand;
extern const Command kCreateCommand;
extern const Command kRunCommand;
extern const Command kExecCommand;
extern const Command kStartCommand;
extern const Command kStateCommand;
extern const Command kKillCommand;
extern const Command kDeleteCommand;
extern const Command kListCommand;
extern const Command kPsCommand;
extern const Command kPauseCommand;
extern const Command kResumeCommand;
extern const Command kUpdateCommand;
extern const Command kFeaturesCommand;

}  // namespace roost::cli
