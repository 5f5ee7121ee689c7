// `roost image inspect`: podman's image fields (Id, Digest, RepoTags, RepoDigests, Parent,
// Comment, Created, Config, Version, Author, Architecture, Os, Size, VirtualSize, GraphDriver,
// RootFS, Labels, Annotations, ManifestType, User, History, NamesHistory) built from the store's
// record and the image's exact manifest and config bytes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace roost::engine {

struct GraphDriverInfo {
  std::string name;                    // "overlay", "fuse-overlayfs", "copy"
  std::vector<std::string> diff_dirs;  // the image's layers' diff directories, base first
};

// Pure: from the record, the manifest and config bytes, and where the layers are.
nlohmann::ordered_json inspect_json(const store::ImageRecord& image, const std::string& manifest_bytes,
                                    const std::string& config_bytes, const GraphDriverInfo& driver);

// One image's object as `image inspect` and `inspect` print it: the record's manifest and config
// read from the store, GraphDriver from the store's overlay probe.
nlohmann::ordered_json inspect_image(const store::Store& store, const store::ImageRecord& image);

// podman's layout of inspect's array: MarshalIndent with five spaces.
std::string inspect_output(const std::vector<nlohmann::ordered_json>& items);

}  // namespace roost::engine
