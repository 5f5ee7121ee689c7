// roost system reset [-f]
#include "cli/engine/command.hpp"
#include "ctr/network_store.hpp"
#include "monitor/rootless_outbound.hpp"

namespace roost::cli {
namespace {

bool force = false;

void add_options(CLI::App& cmd) { cmd.add_flag("-f,--force", force, "do not ask"); }

int run(const engine::GlobalOptions& global, CLI::App&) {
  const store::StorePaths paths = engine::store_paths(global);
  if (!force && !confirm("WARNING! This will remove:\n\t- all images\n\t- the store's directories " +
                         paths.storage().string() + " and " + paths.run_root.string() +
                         "\n\nAre you sure you want to continue?"))
    return 0;
  // Inside the user namespace: layers hold files owned by subordinate ids.
  store::Store store = engine::open_store(global);
  // The pause process keeps the user namespace for the next command: it goes with the store (this
  // process stays in the namespace until it exits; the next command makes a new one).
  store::stop_pause_process(paths.run_root);
  {
    // The slirp4netns that served its network namespace; a monitor connecting meanwhile waits.
    ctr::NetworkStore networks(paths.data_root, paths.run_root);
    FileLock held = networks.lock();
    monitor::stop_outbound(paths.run_root);
  }
  store.reset();
  return 0;
}

}  // namespace

const EngineCommand kSystemResetCommand{"system", "reset", "remove every image and the store's directories", add_options, run};

}  // namespace roost::cli
