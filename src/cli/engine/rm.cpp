// roost rm [-f] [-v] [-a] CTR...: exit 1 when only unknown containers failed, 2 when a running
// one was refused without -f ("container state improper"), 125 for other errors (podman's codes).
#include <cstdio>

#include "cli/engine/command.hpp"
#include "engine/container_context.hpp"
#include "engine/container_remove.hpp"
#include "util/error.hpp"

namespace roost::cli {
namespace {

std::vector<std::string> names;
bool force = false, volumes = false, all = false;

void add_options(CLI::App& cmd) {
  cmd.add_flag("-f,--force", force, "kill a running container first");
  cmd.add_flag("-v,--volumes", volumes, "remove its anonymous volumes too");
  cmd.add_flag("-a,--all", all, "remove every container");
  cmd.add_option("container", names, "names or IDs");
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  ctr::ContainerStore containers = engine::open_containers(global);
  if (all) names = containers.list();
  else if (names.empty()) throw Error("specify one or more containers to remove");
  int rc = 0;
  for (const std::string& name : names) {
    const std::optional<std::string> id = containers.resolve(name);
    if (!id) {
      std::fprintf(stderr, "Error: no container with name or ID \"%s\" found: no such container\n", name.c_str());
      if (rc == 0) rc = 1;
      continue;
    }
    try {
      engine::remove_container(containers, *id, force, volumes);
      print_out(name + "\n");
    } catch (const engine::ContainerRunningError& e) {
      std::fprintf(stderr, "Error: %s\n", e.what());
      if (rc != 125) rc = 2;
    } catch (const Error& e) {
      std::fprintf(stderr, "Error: %s\n", e.what());
      rc = 125;
    }
  }
  return rc;
}

}  // namespace

const EngineCommand kRmCommand{nullptr, "rm", "remove containers", add_options, run};

}  // namespace roost::cli
