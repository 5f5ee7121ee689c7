// roost tag SOURCE TARGET...
#include "cli/engine/command.hpp"
#include "engine/image_ops.hpp"

namespace roost::cli {
namespace {

std::string source;
std::vector<std::string> targets;

void add_options(CLI::App& cmd) {
  cmd.add_option("source", source, "the image (name or ID)")->required();
  cmd.add_option("target", targets, "the new names")->required();
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  store::Store store = engine::open_store(global);
  engine::tag_image(store, source, targets);
  return 0;
}

}  // namespace

const EngineCommand kTagCommand{nullptr, "tag", "add names to an image", add_options, run};

}  // namespace roost::cli
