// roost unshare [CMD ARGS...]
#include "cli/engine/command.hpp"
#include "engine/unshare.hpp"

namespace roost::cli {
namespace {

void add_options(CLI::App& cmd) {
  // Everything after `unshare` is the command and its arguments, options included.
  cmd.prefix_command();
}

int run(const engine::GlobalOptions& global, CLI::App& cmd) {
  return engine::unshare_exec(global, cmd.remaining());
}

}  // namespace

const EngineCommand kUnshareCommand{nullptr, "unshare", "run a command in roost's user and mount namespace", add_options, run};

}  // namespace roost::cli
