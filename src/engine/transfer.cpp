#include "engine/transfer.hpp"

#include <unistd.h>

#include <algorithm>

#include "archive/archive_source.hpp"
#include "archive/exporter.hpp"
#include "archive/importer.hpp"
#include "engine/context.hpp"
#include "engine/image_ops.hpp"
#include "util/error.hpp"

namespace roost::engine {

std::string load_images(store::Store& store, const std::string& input, Progress& progress) {
  if (input.empty() && ::isatty(0))
    throw Error("cannot read from terminal, use command-line redirection or the --input flag");
  const archive::ArchiveSource source =
      input.empty() ? archive::ArchiveSource::open_fd(0, "stdin", store.paths().storage())
                    : archive::ArchiveSource::open(input, store.paths().storage());
  archive::ImportOptions options;
  options.apply = apply_options(store);
  options.progress = [&](const std::string& line) { progress.message(line); };
  progress.message("Getting image source signatures");
  const std::vector<archive::ImportedImage> images = archive::import_images(store, source, options);
  std::string out;
  for (const auto& img : images) {
    if (img.names.empty()) out += "Loaded image: " + img.id.str() + "\n";
    for (const auto& n : img.names) out += "Loaded image: " + n + "\n";
  }
  return out;
}

void save_images(store::Store& store, const std::vector<std::string>& refs, const std::string& output,
                 const std::string& format) {
  const archive::SaveFormat fmt = archive::parse_save_format(format.empty() ? "docker-archive" : format);
  if (output.empty() && ::isatty(1))
    throw Error("refusing to save to a terminal: use -o FILE or redirect stdout");
  if (output.empty() && fmt == archive::SaveFormat::OciDir) throw Error("--format oci-dir needs -o DIRECTORY");
  std::vector<archive::ExportImage> images;
  for (const auto& ref : refs) {
    const store::ImageRecord img = require_image(store, ref);
    archive::ExportImage e{img.id, {}};
    if (auto name = selected_name(img, ref)) e.names.push_back(*name);
    // One image given twice (two of its names): one entry with both names.
    auto same = std::find_if(images.begin(), images.end(), [&](const auto& x) { return x.id == img.id; });
    if (same != images.end()) {
      same->names.insert(same->names.end(), e.names.begin(), e.names.end());
    } else {
      images.push_back(std::move(e));
    }
  }
  archive::export_images(store, images, fmt, output.empty() ? std::filesystem::path("/dev/stdout") : std::filesystem::path(output));
}

}  // namespace roost::engine
