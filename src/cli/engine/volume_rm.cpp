// roost volume rm [-f] NAME...
#include <cstdio>

#include "cli/engine/command.hpp"
#include "engine/container_remove.hpp"
#include "engine/volume_ops.hpp"

namespace roost::cli {
namespace {

std::vector<std::string> names;
bool force = false;

void add_options(CLI::App& cmd) {
  cmd.add_flag("-f,--force", force, "remove the containers that use a volume first");
  cmd.add_option("name", names, "volume names")->required();
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  const store::StorePaths paths = engine::store_paths(global);
  ctr::ContainerStore containers(paths.data_root, paths.run_root);
  const engine::VolumeBatchResult result = engine::remove_volumes(
      containers, names, force, [](ctr::ContainerStore& store, const std::string& id) {
        // podman's `volume rm -f`: the containers go as `rm -f` takes them (running ones killed).
        engine::remove_container(store, id, /*force=*/true, /*volumes=*/false);
      });
  print_out(result.output);
  for (const auto& e : result.errors) std::fprintf(stderr, "Error: %s\n", e.c_str());
  return result.exit_code;
}

}  // namespace

const EngineCommand kVolumeRmCommand{"volume", "rm", "remove named volumes (-f: and the containers using them)",
                                     add_options, run};

}  // namespace roost::cli
