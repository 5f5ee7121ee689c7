// `roost save`: images of the store written as an archive other tools load.
//   docker-archive  the legacy layout `docker load`, `podman load` and skopeo read (what skopeo's
//                   docker-archive: writes): <diffid-hex>.tar per layer (uncompressed),
//                   <config-hex>.json, manifest.json ([{Config, RepoTags, Layers}]), repositories,
//                   and the legacy <layer-id>/{VERSION,json,layer.tar -> ../<diffid-hex>.tar}
//                   (layer-id = the layer's ChainID hex: the ids only have to be unique and
//                   follow the stack, readers that still use them give layers their own);
//   oci-archive     an OCI layout in a tar: oci-layout, index.json (one entry per name, the name in
//                   org.opencontainers.image.ref.name, as podman writes it), blobs/sha256/*;
//   oci-dir         the same layout as a directory.
// Layers are rebuilt byte for byte from the store (the layer's tar-split record replayed over its
// diff directory), uncompressed: the store keeps no compressed blob. So the OCI formats carry a
// manifest rewritten for those blobs (layer media type application/vnd.oci.image.layer.v1.tar,
// digest = DiffID, size = the tar's size; config descriptor application/vnd.oci.image.config.v1+json),
// whose digest differs from the pulled manifest's; the config, hence the image ID, is unchanged.
// The sha256 of every rebuilt layer is checked against its DiffID while it is written; a
// mismatch (a layer's files changed under the store) fails the save, and no output file is left.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "image/digest.hpp"
#include "store/store.hpp"
#include "util/byte_sink.hpp"

namespace roost::archive {

enum class SaveFormat { DockerArchive, OciArchive, OciDir };
// "docker-archive", "oci-archive", "oci-dir"; throws roost::Error naming the choices.
SaveFormat parse_save_format(std::string_view text);

struct ExportImage {
  image::Digest id;
  std::vector<std::string> names;  // normalised "domain/path:tag" to record; may be empty
};

// Writes `images` to `out` (a file, created through a temporary name and renamed; an existing
// non-regular file such as /dev/stdout is written in place; for oci-dir a directory that must not
// exist or be empty).
void export_images(const store::Store& store, const std::vector<ExportImage>& images, SaveFormat format,
                   const std::filesystem::path& out);

// One stored layer as its original uncompressed tar, checked against its DiffID and size.
void write_layer_tar(const store::Store& store, const store::LayerRecord& layer, util::ByteSink& out);

}  // namespace roost::archive
