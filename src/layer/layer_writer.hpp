// One pass over a layer: blob bytes -> sha256 and size of the blob -> inflate -> sha256 of the
// DiffID, and the tar parsed and applied into the layer's own directory at the same time, with the
// tar-split record written beside. finish() checks the blob's size and digest and the DiffID
// against what the manifest and the config promised; a mismatch throws and the caller throws the
// half-written layer away.
//
// Applying (image-spec layer.md) into an overlay lower directory:
//   - every path confined to the layer: openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) or an
//     O_NOFOLLOW walk of each component; absolute names and ".." are refused, a symlink in the
//     layer is never followed while writing;
//   - ".wh.NAME" becomes a whiteout as the kernel's overlayfs and fuse-overlayfs read it (a 0:0
//     character device NAME), ".wh..wh..opq" the xattr user.overlay.opaque="y" on its directory
//     (trusted.overlay.opaque as real root); a bare ".wh." is an error;
//   - a directory over a directory keeps it (attributes replaced), anything else over an existing
//     path replaces it;
//   - hardlinks to a member of the same layer are linked; a target not in this layer is kept as a
//     pending link and linked later to the file of the first lower layer (top first) that has it
//     (one inode shared by two layers of one file system; a copy where linking is refused), by
//     link_from_lowers() (layers are written in parallel, so the lowers may not be complete yet);
//     a target outside the tree is an error;
//   - xattrs: security.selinux, trusted.*, *.overlay.* and user.rootlesscontainers dropped;
//     EPERM/ENOTSUP on security.capability (in a user namespace) tolerated with one warning;
//   - device nodes: skipped with one warning when the process may not mknod (rootless);
//   - ownership: uid/gid as in the tar (the caller runs inside the user namespace that maps them);
//     with squash_ids, every chown is skipped (no subuid range), and the caller says so once;
//   - directory mtimes are set after their children, at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "image/digest.hpp"
#include "image/manifest.hpp"
#include "util/byte_sink.hpp"

namespace roost::layer {

struct Expectations {
  std::optional<image::Digest> blob_digest;  // checked at finish() when set
  int64_t blob_size = -1;                    // -1: unknown; else more bytes than this are refused at once
  std::optional<image::Digest> diff_id;      // checked at finish() when set
  image::LayerCompression compression = image::LayerCompression::Unknown;  // Unknown: by magic
};

struct ApplyOptions {
  bool squash_ids = false;        // no subuid range: do not chown (all files belong to the caller)
  bool real_root = false;         // trusted.overlay.opaque instead of user.overlay.opaque
  std::function<void(const std::string&)> warn;  // one call per kind of warning, not per file
};

struct Stats {
  image::Digest blob_digest;
  int64_t blob_size = 0;
  image::Digest diff_id;
  int64_t diff_size = 0;        // bytes of the uncompressed tar
  int64_t apparent_bytes = 0;   // sum of the regular files' sizes
  int64_t allocated_bytes = 0;  // st_blocks * 512 of everything written (what `system df` reports)
  int64_t inodes = 0;
};

class LayerWriter : public util::ByteSink {
 public:
  // diff_dir_fd: an O_DIRECTORY fd of the empty directory the layer goes into (not owned).
  // tar_split_out: where the tar-split record goes (may be null: not recorded); written by
  // finish(), never finished by it (the caller finishes it: the store's compressor and file).
  // Errors from write() and finish() are roost::Error starting "layer sha256:...: " (the blob's
  // digest when expected, else "layer: "); after one, the writer refuses more.
  LayerWriter(int diff_dir_fd, Expectations expect, ApplyOptions options, util::ByteSink* tar_split_out);
  ~LayerWriter() override;
  void write(const uint8_t* data, size_t size) override;
  void finish() override;
  // Valid after a successful finish() (throws before); link_from_lowers() adds to it.
  const Stats& stats() const;
  // Blob bytes seen so far (progress, and where a resumed download must continue from).
  int64_t blob_bytes() const;
  // After finish(): hardlinks whose target was not in this layer, as (link path, target path).
  const std::vector<std::pair<std::string, std::string>>& pending_lower_links() const;
  // Once every lower layer is complete: makes each pending link a hardlink to (or, where the file
  // system refuses, a copy of) its target in the
  // first of `lower_diff_fds` (top first) that has it (a whiteout or opaque dir above hides it);
  // throws when none has it. Updates stats().
  void link_from_lowers(const std::vector<int>& lower_diff_fds);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace roost::layer
