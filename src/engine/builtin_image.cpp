#include "engine/builtin_image.hpp"

#include <unistd.h>

#include "archive/archive_source.hpp"
#include "archive/importer.hpp"
#include "engine/context.hpp"
#include "util/error.hpp"

namespace roost::engine {

std::optional<std::filesystem::path> builtin_busybox_layout() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  const std::filesystem::path dir = exe.parent_path();
  for (const auto& candidate : {dir / "share/roost/busybox", dir / "../share/roost/busybox"})
    if (std::filesystem::exists(candidate / "index.json", ec)) return candidate.lexically_normal();
  return std::nullopt;
}

store::ImageRecord store_builtin_busybox(store::Store& store, const std::filesystem::path& layout) {
  const archive::ArchiveSource source = archive::ArchiveSource::open(layout, store.paths().storage());
  archive::ImportOptions options;
  options.apply = apply_options(store);
  archive::import_images(store, source, options);
  if (auto img = store.find_image(kBuiltinBusyboxName)) return *img;
  throw Error("the built-in image at " + layout.string() + " does not name " + kBuiltinBusyboxName);
}

}  // namespace roost::engine
