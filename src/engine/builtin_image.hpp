// The built-in image localhost/busybox:latest: an OCI layout made at build time
// (scripts/make-builtin-image) and installed beside the program; stored from there on first use of
// the short name `busybox` (engine/image_ops) or by `roost load` of the layout.
#pragma once

#include <filesystem>
#include <optional>

#include "store/store.hpp"

namespace roost::engine {

inline constexpr const char* kBuiltinBusyboxName = "localhost/busybox:latest";

// <exe dir>/share/roost/busybox (the build tree) or <exe dir>/../share/roost/busybox (installed),
// the first holding an index.json; nullopt when neither does.
std::optional<std::filesystem::path> builtin_busybox_layout();

// Imports the layout (src/archive's OCI layout import) and returns the stored image.
store::ImageRecord store_builtin_busybox(store::Store& store, const std::filesystem::path& layout);

}  // namespace roost::engine
