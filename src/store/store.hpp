// The image store: layers by ChainID, images by ID (the config's digest), names on images.
//
//   storage/store.lock                 flock, exclusive: held while image records change (put,
//                                      tag, untag, remove) and while layers are removed
//   storage/layers.lock                flock, shared: held by a process from its first
//                                      begin_layer until its put_image (a pull or load under
//                                      way); layer removal takes it exclusive without waiting,
//                                      and when it cannot, leaves the layers for a later
//                                      rmi/prune (they count as unused in usage()) rather than
//                                      pull a layer from under an image about to be stored
//   storage/layers/<chainid-hex>/      one layer: diff/ (its files, overlay format),
//                                      layer.json (LayerRecord), tar-split.zst
//   storage/layers/<chainid-hex>.lock  flock, exclusive: held while that layer is written (two
//                                      pulls of one layer: the second waits, then finds it done);
//                                      removed with its layer, by the holder
//   storage/layers/.partial-<hex>-<random>/  a layer being written (diff/, tar-split.zst,
//                                      layer.json, lock), renamed to <hex>/ when complete (after
//                                      its records and directories are fsync'd), so a layer
//                                      directory that exists is whole. Its writer holds
//                                      <hex>.lock and partial/lock; one whose lock is free was
//                                      left by a dead writer and is removed by Store::open and by
//                                      the next writer of that layer
//   storage/layers/.removing-<hex>-<random>/  a layer being deleted: renamed out of its place
//                                      first (so a kill -9 mid-removal never leaves a layer
//                                      that looks whole), then removed; leftovers go at open
//   storage/images/<id-hex>/           image.json (ImageRecord), manifest (exact bytes), config
//                                      (exact bytes); made as images/.partial-<hex>-<random>/
//                                      and renamed into place
//   storage/images/.tmp-*              a record being replaced (written, fsync'd, renamed over
//                                      images/<hex>/image.json)
//
// Every file is written to a temporary name, fsync'd and renamed, and its directory fsync'd.
// Readers take no lock: they see the old or the new file; nothing is cached across calls, so a
// Store sees what other processes did. Lock files are taken with an inode check
// (store/file_lock), so one can be unlinked by its holder. Removal walks with openat/unlinkat and
// O_NOFOLLOW and never follows a symlink planted in a layer. The layers' file contents are not
// fsync'd (as containers/storage does not): a power cut can leave a layer whose records are
// whole and whose files are not; a kill of roost never does. Rootless, the store is opened
// inside the user's user namespace (store/userns_session), so files owned by subuids can be
// written and removed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "image/digest.hpp"
#include "store/store_paths.hpp"
#include "util/byte_sink.hpp"
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
  int64_t reclaimable_bytes = 0;        // what `system prune -a` would free: every layer's bytes,
                                        // as no container holds a layer yet (issue 12 has none)
};

class Store;

// A layer being written. Destroyed without commit(): the partial directory is removed.
class LayerTransaction {
 public:
  LayerTransaction(LayerTransaction&&) noexcept;
  ~LayerTransaction();
  int diff_fd() const;                  // O_DIRECTORY fd of the (empty) diff dir to fill
  util::ByteSink& tar_split();          // where the tar-split record goes (compressed by the store)
  // Finishes the tar-split record, writes layer.json (record.chain_id must be the layer's;
  // `created` is set when empty), fsyncs, renames into place; releases the layer's lock.
  void commit(LayerRecord record);

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
  UniqueFd open_layer_diff(const image::Digest& chain_id) const;
  std::string layer_tar_split(const image::Digest& chain_id) const;  // the record, decompressed

  // Images.
  std::vector<ImageRecord> images() const;
  // By full or prefix ID (at least 3 hex digits, unique), by "sha256:ID", by name (normalised
  // reference, tag or digest), or by short name matching a stored name's last component(s)
  // ("busybox" finds localhost/busybox:latest); nullopt when nothing matches; throws when a prefix
  // or a short name is ambiguous.
  std::optional<ImageRecord> find_image(const std::string& text) const;
  // Stores an image whose layers are all present (checked under store.lock: a layer removed
  // meanwhile is an error). record.id must be the sha256 of config_bytes. Names given move from
  // any other image to this one. An image already stored keeps its names after the new ones,
  // gains the new repo digests, and takes the new manifest. `size` and `stored_at` are set here.
  void put_image(ImageRecord record, const std::string& manifest_bytes, const std::string& config_bytes);
  std::string image_manifest(const image::Digest& id) const;
  std::string image_config(const image::Digest& id) const;
  // Adds a name (moved from the image that has it); throws when the image is not stored.
  void tag(const image::Digest& id, const std::string& name);
  // Removes a name; returns false when no image has it.
  bool untag(const std::string& name);
  // Removes the image and every layer no other image uses; returns the layers removed (none while
  // another process is storing an image: see layers.lock). Throws when the image is not stored.
  std::vector<image::Digest> remove_image(const image::Digest& id);
  // Layers no image uses (left by a kill between the image's removal and its layers').
  std::vector<image::Digest> remove_unused_layers();

  Usage usage() const;  // from the records: no walk, no mount
  // Removes everything under data_root/storage and run_root (a mount left under either is an
  // error, not a walk into it), then makes the empty store again.
  void reset();

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl>);
  std::unique_ptr<Impl> impl_;
};

}  // namespace roost::store
