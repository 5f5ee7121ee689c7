// One command of the roost program's CLI (containers and images): where it sits (`roost NAME` or `roost image NAME`,
// `roost system NAME`), its help, what it adds to its CLI11 subcommand and what it runs. Each is
// one file defining one of these (as src/cli/runtime/); commands.cpp lists them in --help's
// order, and main builds only the command that runs.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "ctr/container_store.hpp"
#include "engine/context.hpp"

namespace roost::cli {

struct EngineCommand {
  const char* group;  // nullptr (top level), "image" or "system"
  const char* name;
  const char* help;
  void (*add_options)(CLI::App& cmd);
  // The exit code; an error is thrown (main prints "Error: ..." and exits 125).
  int (*run)(const engine::GlobalOptions& global, CLI::App& cmd);
};

std::span<const EngineCommand* const> engine_commands();

// podman's other names for the same commands: `roost container ls` is `roost ps`, `roost image rm`
// is `roost rmi`. Not in --help's list (each points at a listed command). `container inspect` is
// a command of its own (containers only, as podman's), not an alias of `inspect`.
struct CommandAlias {
  const char* group;
  const char* name;
  const EngineCommand* command;
};
std::span<const CommandAlias> command_aliases();

// Runs `act` on each named container (name, id or prefix, resolved by engine::require_container),
// printing the name on success and one "Error: ..." line on failure, as podman does for start,
// stop and kill of several containers: 0 when all succeeded, else 125.
int for_each_container(ctr::ContainerStore& containers, const std::vector<std::string>& names,
                       const std::function<void(const std::string& id)>& act);

// inspect's output: `format` (a Go template, rendered per item) or the JSON array ("" or "json"),
// then every error but the last as an "Error: ..." line on stderr; the last is thrown (125).
// Returns 0 when there was none.
int print_inspected(const std::vector<nlohmann::ordered_json>& items, const std::vector<std::string>& errors,
                    const std::string& format);

// Writes text to stdout as it is.
void print_out(const std::string& text);
// Asks "PROMPT [y/N] " on stderr and reads a line from stdin: true for y or yes.
bool confirm(const std::string& prompt);

extern const EngineCommand kPullCommand;
extern const EngineCommand kImagesCommand;
extern const EngineCommand kLoadCommand;
extern const EngineCommand kSaveCommand;
extern const EngineCommand kTagCommand;
extern const EngineCommand kRmiCommand;
extern const EngineCommand kImageInspectCommand;
extern const EngineCommand kImageMountCommand;
extern const EngineCommand kImageUmountCommand;
extern const EngineCommand kLoginCommand;
extern const EngineCommand kLogoutCommand;
extern const EngineCommand kSystemDfCommand;
extern const EngineCommand kSystemPruneCommand;
extern const EngineCommand kSystemResetCommand;
extern const EngineCommand kInfoCommand;
extern const EngineCommand kUnshareCommand;
extern const EngineCommand kCheckCommand;
extern const EngineCommand kRunCommand;
extern const EngineCommand kCreateCommand;
extern const EngineCommand kStartCommand;
extern const EngineCommand kPsCommand;
extern const EngineCommand kLogsCommand;
extern const EngineCommand kExecCommand;
extern const EngineCommand kStopCommand;
extern const EngineCommand kKillCommand;
extern const EngineCommand kRmCommand;
extern const EngineCommand kWaitCommand;
extern const EngineCommand kPortCommand;
extern const EngineCommand kInspectCommand;
extern const EngineCommand kContainerInspectCommand;
extern const EngineCommand kRenameCommand;
extern const EngineCommand kVersionCommand;
// volumes and cp (eng-cpvol)
extern const EngineCommand kVolumeCreateCommand;
extern const EngineCommand kVolumeLsCommand;
extern const EngineCommand kVolumeInspectCommand;
extern const EngineCommand kVolumeRmCommand;
extern const EngineCommand kVolumePruneCommand;
extern const EngineCommand kCpCommand;
extern const EngineCommand kNetworkCreateCommand;
extern const EngineCommand kNetworkLsCommand;
extern const EngineCommand kNetworkInspectCommand;
extern const EngineCommand kNetworkRmCommand;

}  // namespace roost::cli
