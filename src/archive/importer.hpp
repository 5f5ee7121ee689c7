// `roost load`: the images of an ArchiveSource into the store. Everything that can be checked
// without writing is checked first for every image of the archive (configs parse, the config's
// digest is the manifest's, one DiffID per layer, known layer media types, every layer the store
// lacks is in the archive); then each missing layer is applied through a LayerWriter (blob digest
// and size when the manifest gives them, the DiffID always) into a store transaction, up to four
// layers of an image at once on worker threads; hardlinks into lower layers are resolved and the
// layers committed in order on the calling thread, and the image is stored with its names. A layer
// that fails its checks fails its image before any of that image's layers is committed (their
// partial directories are removed); images of the archive stored before it stay stored.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "archive/archive_source.hpp"
#include "image/digest.hpp"
#include "layer/layer_writer.hpp"
#include "store/store.hpp"

namespace roost::archive {

struct ImportOptions {
  layer::ApplyOptions apply;
  // One line per blob, podman's words: "Copying blob sha256:... done",
  // "Copying blob sha256:... skipped: already exists", "Copying config sha256:... done".
  std::function<void(const std::string&)> progress;
};

struct ImportedImage {
  image::Digest id;                // the config's digest
  std::vector<std::string> names;  // as stored
};

std::vector<ImportedImage> import_images(store::Store& store, const ArchiveSource& source, const ImportOptions& options);

// The OCI manifest roost stores for a docker-archive image (which has none): an OCI image
// manifest with an OCI config descriptor and, per layer, the media type of the member's bytes
// as found (tar, tar+gzip, tar+zstd by magic) with their digest and size.
std::string docker_archive_manifest(const std::string& config, const std::vector<image::Descriptor>& layers);

}  // namespace roost::archive
