// roost system prune [-a] [-f]
#include "cli/engine/command.hpp"
#include "engine/system.hpp"

namespace roost::cli {
namespace {

bool all = false, force = false;

void add_options(CLI::App& cmd) {
  cmd.add_flag("-a,--all", all, "remove every image, not only dangling ones (no container uses any yet)");
  cmd.add_flag("-f,--force", force, "do not ask");
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  if (!force && !confirm(std::string("WARNING! This command removes:\n\t- ") +
                         (all ? "all images" : "all dangling images") + "\n\nAre you sure you want to continue?"))
    return 0;
  store::Store store = engine::open_store(global);
  print_out(engine::format_prune(engine::prune_images(store, all)));
  return 0;
}

}  // namespace

const EngineCommand kSystemPruneCommand{"system", "prune", "remove dangling images (-a: all images)", add_options, run};

}  // namespace roost::cli
