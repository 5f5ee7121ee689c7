// roost image inspect [--format TEMPLATE] REF...
#include "cli/engine/command.hpp"
#include "engine/image_ops.hpp"
#include "engine/inspect.hpp"
#include "util/error.hpp"

namespace roost::cli {
namespace {

std::vector<std::string> refs;
std::string format;

void add_options(CLI::App& cmd) {
  cmd.add_option("-f,--format", format, "a Go template ({{.Id}}, {{.RootFS.Layers}}, {{json .Config}} ...)");
  cmd.add_option("image", refs, "names or IDs")->required();
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  store::Store store = engine::open_store(global);
  std::vector<nlohmann::ordered_json> items;
  std::vector<std::string> errors;
  for (const auto& ref : refs) {
    try {
      items.push_back(engine::inspect_image(store, engine::require_image(store, ref)));
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  return print_inspected(items, errors, format);
}

}  // namespace

const EngineCommand kImageInspectCommand{"image", "inspect", "show an image's configuration and layers", add_options, run};

}  // namespace roost::cli
