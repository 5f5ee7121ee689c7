// roost rmi [-f] [-a] REF...
#include <cstdio>

#include "cli/engine/command.hpp"
#include "engine/image_ops.hpp"

namespace roost::cli {
namespace {

std::vector<std::string> refs;
bool force = false, all = false;

void add_options(CLI::App& cmd) {
  cmd.add_flag("-f,--force", force, "remove an image even when it has several names");
  cmd.add_flag("-a,--all", all, "remove every image");
  cmd.add_option("image", refs, "names or IDs");
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  store::Store store = engine::open_store(global);
  const engine::RmiResult result = engine::remove_images(store, refs, force, all);
  print_out(result.output);
  for (const auto& e : result.errors) std::fprintf(stderr, "Error: %s\n", e.c_str());
  return result.exit_code;
}

}  // namespace

const EngineCommand kRmiCommand{nullptr, "rmi", "remove images (exit 1: one was not known)", add_options, run};

}  // namespace roost::cli
