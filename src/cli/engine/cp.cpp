// roost cp [-a] SRC DST: one side CTR:PATH, the other a host path or - (a tar stream).
#include "cli/engine/command.hpp"
#include "engine/container_cp.hpp"

namespace roost::cli {
namespace {

std::string source, destination;
bool archive = false;

void add_options(CLI::App& cmd) {
  cmd.add_flag("-a,--archive", archive, "keep the files' uid and gid (default: the receiving side's root/user)");
  cmd.add_option("source", source, "CONTAINER:PATH, a host path, or - (a tar stream on stdin)")->required();
  cmd.add_option("destination", destination, "CONTAINER:PATH, a host path, or - (a tar stream on stdout)")->required();
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  const store::StorePaths paths = engine::store_paths(global);
  const ctr::ContainerStore containers(paths.data_root, paths.run_root);
  engine::copy_files(containers, {source, destination, archive});
  return 0;
}

}  // namespace

const EngineCommand kCpCommand{nullptr, "cp", "copy files between a container and the host", add_options, run};

}  // namespace roost::cli
