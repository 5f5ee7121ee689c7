// roost create [flags] IMAGE [CMD...]: the container's record, printed as its full ID.
#include <fcntl.h>

#include "cli/engine/command.hpp"
#include "cli/engine/container_flags.hpp"
#include "engine/container_context.hpp"
#include "engine/container_create.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::cli {
namespace {

engine::CreateRequest request;
std::string cidfile;

void add_options(CLI::App& cmd) {
  add_container_flags(cmd, request);
  cmd.add_option("--cidfile", cidfile, "write the container's ID to this file");
}

int run(const engine::GlobalOptions& global, CLI::App& cmd) {
  finish_container_request(cmd, request);
  if (!cidfile.empty() && path_exists(cidfile)) throw Error("container id file exists. Ensure another container is not using it or delete " + cidfile);
  ctr::ContainerStore containers = engine::open_containers(global);
  const ctr::ContainerConfig config = engine::create_container(global, containers, request);
  if (!cidfile.empty()) write_file(cidfile, config.id, O_WRONLY | O_CREAT | O_EXCL, 0644);
  print_out(config.id + "\n");
  return 0;
}

}  // namespace

const EngineCommand kCreateCommand{nullptr, "create", "create a container without starting it", add_options, run};

}  // namespace roost::cli
