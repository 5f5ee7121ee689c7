// `roost load` and `roost save`: image archives (docker-archive, oci-archive, OCI layouts) into
// and out of the store, through src/archive.
#pragma once

#include <string>
#include <vector>

#include "engine/progress.hpp"
#include "store/store.hpp"

namespace roost::engine {

// From `input` (a file or an OCI layout directory), or stdin when empty; returns the "Loaded
// image: NAME" lines (one per name; "Loaded image: sha256:ID" for an image without one).
std::string load_images(store::Store& store, const std::string& input, Progress& progress);

// The images `refs` name to `output` ("" = stdout, which must not be a terminal) in `format`
// ("docker-archive" by default, "oci-archive", "oci-dir"). A name given is recorded in the
// archive; an ID records the image without a name.
void save_images(store::Store& store, const std::vector<std::string>& refs, const std::string& output,
                 const std::string& format);

}  // namespace roost::engine
