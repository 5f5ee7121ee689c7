// Finding an image by what the user typed (with the built-in busybox rule), `roost tag` and
// `roost rmi` as podman words them.
#pragma once

#include <string>
#include <vector>

#include "store/store.hpp"

namespace roost::engine {

// The stored image `text` names (Store::find_image: ID, prefix, name, short name). The short
// name `busybox` (or busybox:latest) with neither docker.io/library/busybox nor localhost/busybox
// stored is the built-in image: it is stored from its layout first (engine/builtin_image).
std::optional<store::ImageRecord> find_image(store::Store& store, const std::string& text);
// The same; throws roost::Error "TEXT: image not known" when nothing matches.
store::ImageRecord require_image(store::Store& store, const std::string& text);

// The name of `image` that `text` selects when `text` is a name (the normalised reference, or the
// stored name a short name matched: "busybox" -> "localhost/busybox:latest"); nullopt for an ID
// or a digest.
std::optional<std::string> selected_name(const store::ImageRecord& image, const std::string& text);

// `roost tag SOURCE TARGET...`: each target put on the image (moved from any image that had it);
// a target without a registry is localhost's, as podman makes it ("x" -> localhost/x:latest).
void tag_image(store::Store& store, const std::string& source, const std::vector<std::string>& targets);

struct RmiResult {
  std::string output;  // "Untagged: NAME" and "Deleted: ID" lines
  std::vector<std::string> errors;
  int exit_code = 0;   // podman's: 0, 1 (only unknown images), 125 (anything else)
};
// `roost rmi [-f] [-a] REF...`.
RmiResult remove_images(store::Store& store, const std::vector<std::string>& refs, bool force, bool all);

}  // namespace roost::engine
