// roost images [-a] [-q] [--digests] [--no-trunc] [--format json|TEMPLATE]
#include <ctime>

#include "cli/engine/command.hpp"
#include "engine/images.hpp"
#include "image/image_config.hpp"

namespace roost::cli {
namespace {

engine::ImagesOptions options;

void add_options(CLI::App& cmd) {
  cmd.add_flag("-a,--all", options.all, "all images (roost keeps no intermediate images: the same list)");
  cmd.add_flag("-q,--quiet", options.quiet, "image IDs only");
  cmd.add_flag("--digests", options.digests, "show the manifest digests");
  cmd.add_flag("--no-trunc", options.no_trunc, "full image IDs");
  cmd.add_option("--format", options.format, "json, or a Go template ({{.Repository}}:{{.Tag}} ...)");
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  store::Store store = engine::open_store(global);
  auto labels = [&](const store::ImageRecord& img) -> nlohmann::json {
    const image::ImageConfig config = image::parse_image_config(store.image_config(img.id));
    if (config.config.is_object() && config.config.contains("Labels")) return config.config["Labels"];
    return nullptr;
  };
  print_out(engine::format_images(store.images(), options, static_cast<int64_t>(std::time(nullptr)), labels));
  return 0;
}

}  // namespace

const EngineCommand kImagesCommand{nullptr, "images", "list the stored images", add_options, run};

}  // namespace roost::cli
