// roost network rm [-f] NETWORK...
#include <cstdio>

#include "cli/engine/command.hpp"
#include "engine/network_ops.hpp"
#include "util/error.hpp"

namespace roost::cli {
namespace {

std::vector<std::string> names;
bool force = false;

void add_options(CLI::App& cmd) {
  cmd.alias("remove");
  cmd.add_flag("-f,--force", force, "remove the containers that use it first");
  cmd.add_option("network", names, "names or IDs")->required();
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  if (force) throw Error("network rm -f needs roost rm (the engine's containers), which is not wired yet");
  std::vector<std::string> errors;
  for (const auto& name : names) {
    try {
      print_out(engine::remove_network(global, name, nullptr) + "\n");
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  for (size_t i = 0; i + 1 < errors.size(); ++i) std::fprintf(stderr, "Error: %s\n", errors[i].c_str());
  if (!errors.empty()) throw Error(errors.back());
  return 0;
}

}  // namespace

const EngineCommand kNetworkRmCommand{"network", "rm", "remove networks", add_options, run};

}  // namespace roost::cli
