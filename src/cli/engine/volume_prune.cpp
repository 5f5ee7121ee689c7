// roost volume prune [-f] [--filter KEY=VALUE]...
#include <cstdio>

#include "cli/engine/command.hpp"
#include "engine/volume_ops.hpp"

namespace roost::cli {
namespace {

bool force = false;
std::vector<std::string> filters;

void add_options(CLI::App& cmd) {
  cmd.add_flag("-f,--force", force, "do not ask");
  cmd.add_option("--filter", filters, "name=REGEX, label=KEY[=VALUE] (repeatable)")->allow_extra_args(false);
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  const engine::VolumeFilter filter(filters);
  if (!force && !confirm("WARNING! This will remove all volumes not used by at least one container. "
                         "Are you sure you want to continue?"))
    return 0;
  const store::StorePaths paths = engine::store_paths(global);
  ctr::ContainerStore containers(paths.data_root, paths.run_root);
  const engine::VolumeBatchResult result = engine::prune_volumes(containers, filter);
  print_out(result.output);
  for (const auto& e : result.errors) std::fprintf(stderr, "Error: %s\n", e.c_str());
  return result.exit_code;
}

}  // namespace

const EngineCommand kVolumePruneCommand{"volume", "prune", "remove the volumes no container uses", add_options, run};

}  // namespace roost::cli
