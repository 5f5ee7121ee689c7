// roost image inspect [--format TEMPLATE] REF...
#include <cstdio>

#include "cli/engine/command.hpp"
#include "engine/image_ops.hpp"
#include "engine/inspect.hpp"
#include "engine/template.hpp"
#include "store/overlay_probe.hpp"
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
  std::optional<engine::Template> tmpl;
  if (!format.empty() && format != "json") tmpl.emplace(format);
  const store::OverlayProbe probe = store::probe_overlay(store.paths());
  std::vector<nlohmann::ordered_json> items;
  std::vector<std::string> errors;
  for (const auto& ref : refs) {
    try {
      const store::ImageRecord img = engine::require_image(store, ref);
      engine::GraphDriverInfo driver;
      driver.name = store::driver_name(probe.driver);
      for (const auto& layer : img.layers) driver.diff_dirs.push_back(store.layer_diff_path(layer).string());
      items.push_back(engine::inspect_json(img, store.image_manifest(img.id), store.image_config(img.id), driver));
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  if (tmpl) {
    for (const auto& item : items) print_out(tmpl->render(nlohmann::json(item)));
  } else {
    print_out(engine::inspect_output(items));
  }
  for (size_t i = 0; i + 1 < errors.size(); ++i) std::fprintf(stderr, "Error: %s\n", errors[i].c_str());
  if (!errors.empty()) throw Error(errors.back());
  return 0;
}

}  // namespace

const EngineCommand kImageInspectCommand{"image", "inspect", "show an image's configuration and layers", add_options, run};

}  // namespace roost::cli
