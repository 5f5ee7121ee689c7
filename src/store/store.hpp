// The image store: layers by ChainID, images by ID (the config's digest), names on images.
//
//   storage/store.lock                 flock: held exclusive while metadata changes
//   storage/layers/<chainid-hex>/      one layer: diff/ (its files, overlay format),
//                                      layer.json (LayerRecord), tar-split.zst
//   storage/layers/.partial-<hex>-<random>/  a layer being written; renamed into place when
//                                      complete, so a layer directory that exists is whole; one
//                                      left by a killed process is removed by the next writer
//                                      (its flock on .partial-*/lock is gone)
//   storage/layers/<chainid-hex>.lock  flock: held while that layer is written (two pulls of
//                                      one layer: the second waits, then finds it done)
//   storage/images/<id-hex>/           image.json (ImageRecord), manifest (exact bytes), config
//                                      (exact bytes)
//
// Every file is written to a temporary name and renamed. Readers take no lock: they see the old or
// the new file. A layer is removed when no image uses it (rmi, prune) under store.lock. Rootless,
// the store is opened inside the user's user namespace (store/userns_session), so files owned by
// subuids can be written and removed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "image/digest.hpp"
#include "store/store_paths.hpp"
#include "util/unique_fd.hpp"

namespace roost::store {

struct LayerRecord {
  image::Digest chain_id;
  image::Digest diff_id;
  std::optional<image::Digest> parent;  // the ChainID below; none for a base layer
  int64_t diff_size = 0;                // uncompressed tar bytes
  int64_t apparent_bytes = 0;
  int64_t allocated_bytes = 0;          // what `system df` counts
  int64_t inodes = 0;
  std::optional<image::Digest> compressed_digest;  // the blob it came from, when it came compressed
  int64_t compressed_size = 0;
  std::string created;                  // RFC 3339, when it was written
};

struct ImageRecord {
  image::Digest id;                     // sha256 of the config bytes
  std::vector<std::string> names;       // normalised "domain/path:tag", newest first
  std::vector<std::string> repo_digests;  // "domain/path@sha256:..." of the manifest
  image::Digest manifest_digest;
  std::string manifest_media_type;
  std::vector<image::Digest> layers;    // ChainIDs, base first
  std::string created;                  // the image's (config) creation time
  std::string stored_at;                // when roost stored it
  int64_t size = 0;                     // sum of its layers' allocated bytes (shared counted here too)
};

struct Usage {
  int64_t images = 0, layers = 0;
  int64_t layer_bytes = 0;              // each layer once
  int64_t unused_layer_bytes = 0;       // layers no image uses (left by an interrupted rmi)
  int64_t dangling_images = 0;          // images with no name
  int64_t reclaimable_bytes = 0;        // what `system prune -a` would free (bytes only images use)
};

class Store;

// A layer being written. Destroyed without commit(): the partial directory is removed.
class LayerTransaction {
 public:
  LayerTransaction(LayerTransaction&&) noexcept;
  ~LayerTransaction();
  int diff_fd() const;                  // O_DIRECTORY fd of the (empty) diff dir to fill
  util::ByteSink& tar_split();          // where the tar-split record goes (compressed by the store)
  void commit(LayerRecord record);      // fsync, rename into place

 private:
  friend class Store;
  struct Impl;
  explicit LayerTransaction(std::unique_ptr<Impl>);
  std::unique_ptr<Impl> impl_;
};

class Store {
 public:
  // Creates the directories; removes partial layers left by dead writers.
  static Store open(const StorePaths& paths);
  Store(Store&&) noexcept;
  ~Store();

  const StorePaths& paths() const;

  // Layers.
  std::optional<LayerRecord> layer(const image::Digest& chain_id) const;
  std::vector<LayerRecord> layers() const;
  // nullopt: the layer exists (possibly written by another process meanwhile: this waits on its lock).
  std::optional<LayerTransaction> begin_layer(const image::Digest& chain_id);
  std::filesystem::path layer_diff_path(const image::Digest& chain_id) const;
  util::unique_fd open_layer_diff(const image::Digest& chain_id) const;
  std::string layer_tar_split(const image::Digest& chain_id) const;  // the record, decompressed

  // Images.
  std::vector<ImageRecord> images() const;
  // By full or prefix ID (at least 3 hex digits, unique), by "sha256:ID", by name (normalised
  // reference, tag or digest), or by short name matching a stored name's last component(s)
  // ("busybox" finds localhost/busybox:latest); nullopt when nothing matches; throws when a prefix
  // or a short name is ambiguous.
  std::optional<ImageRecord> find_image(const std::string& text) const;
  // Stores an image whose layers are all present. Names given move from any other image to this one.
  void put_image(ImageRecord record, const std::string& manifest_bytes, const std::string& config_bytes);
  std::string image_manifest(const image::Digest& id) const;
  std::string image_config(const image::Digest& id) const;
  void tag(const image::Digest& id, const std::string& name);
  // Removes a name; returns false when no image has it.
  bool untag(const std::string& name);
  // Removes the image and every layer no other image uses; returns the layers removed.
  std::vector<image::Digest> remove_image(const image::Digest& id);
  // Layers no image uses (left by a kill between the image's removal and its layers').
  std::vector<image::Digest> remove_unused_layers();

  Usage usage() const;  // from the records: no walk, no mount
  // Removes everything under data_root/storage and run_root.
  void reset();

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl>);
  std::unique_ptr<Impl> impl_;
};

}  // namespace roost::store
