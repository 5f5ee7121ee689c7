// What `roost load` reads: an image archive (oci-archive, docker-archive legacy or Docker v25+
// hybrid, whole-archive gzip or zstd too) or an OCI layout directory, opened once and indexed, so
// the importer can read any member out of order (a docker-archive lists its layers in
// manifest.json, which may come last).
//
//   - The whole file's compression is found by magic (gzip 1f 8b, zstd 28 b5 2f fd). A compressed
//     archive, or one read from a pipe, is inflated (copied) into an unnamed temporary file in
//     `tmp_dir` (the store's) while it is indexed: members are then read from there by offset.
//   - The outer tar's members are indexed by path (tar::Reader): offset and size of each regular
//     member's content; a symlink or hardlink member is followed one level, as containers/image
//     does for docker-archive's <legacy-id>/layer.tar -> ../<diffid>.tar.
//   - Format: "oci-layout" and "index.json" make an OCI layout (index.json is preferred when a
//     Docker v25+ archive also has manifest.json); else "manifest.json" is a legacy docker-archive.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "image/digest.hpp"
#include "image/manifest.hpp"
#include "util/byte_sink.hpp"

namespace roost::archive {

enum class ArchiveFormat { OciArchive, DockerArchive, OciDir };
const char* format_name(ArchiveFormat format);  // "oci-archive", "docker-archive", "oci-dir"

enum class OuterCompression { None, Gzip, Zstd };

// Where one member's bytes are: `offset` into the indexed tar (0 for a file of a directory).
struct Member {
  std::string path;  // the archive path (after following a link), or the path in the directory
  int64_t offset = 0;
  int64_t size = 0;
};

struct SourceLayer {
  // OCI layouts: the manifest's descriptor (blob digest, size, media type). docker-archive: none,
  // the member's bytes are what they are (compression found by magic, digest computed on import).
  std::optional<image::Descriptor> descriptor;
  std::optional<Member> member;  // none: not in the archive (a blob may be missing from a layout)
};

struct SourceImage {
  std::vector<std::string> names;  // normalised references ("docker.io/library/busybox:latest")
  // OCI layouts: the manifest's exact bytes and media type, its digest checked against index.json.
  // docker-archive: empty; the importer makes an OCI manifest once the layers' blobs are known.
  std::string manifest;
  std::string manifest_media_type;
  std::string config;              // exact bytes; their sha256 is the image ID
  std::vector<SourceLayer> layers; // base first, as the manifest (or manifest.json) lists them
  std::string where;               // "index.json manifests[0]", "manifest.json[1]": for errors
};

class ArchiveSource {
 public:
  // A file (tar, possibly compressed) or an OCI layout directory. Throws roost::Error naming the
  // file and what is wrong with it.
  static ArchiveSource open(const std::filesystem::path& path, const std::filesystem::path& tmp_dir);
  // An fd to read the archive from (stdin): copied to a temporary file if it cannot be read by
  // offset. `name` is for messages.
  static ArchiveSource open_fd(int fd, const std::string& name, const std::filesystem::path& tmp_dir);
  ArchiveSource(ArchiveSource&&) noexcept;
  ~ArchiveSource();

  ArchiveFormat format() const;
  OuterCompression compression() const;
  const std::vector<SourceImage>& images() const;
  const std::string& name() const;

  // A member's bytes, read by offset in 1 MiB chunks and pushed to `out` (not finished).
  void copy(const Member& member, util::ByteSink& out) const;
  // A small member whole; a member over `cap` bytes is refused.
  std::string read(const Member& member, size_t cap) const;
  // The first bytes of a member (up to n), for magic numbers.
  std::string peek(const Member& member, size_t n) const;
  // A member by archive path, following one link; nullopt when there is none.
  std::optional<Member> find(const std::string& path) const;

 private:
  struct Impl;
  explicit ArchiveSource(std::unique_ptr<Impl>);
  std::unique_ptr<Impl> impl_;
};

// The image names of an OCI layout's index entry, as podman reads them: the containerd name
// annotation (Docker v25+ archives) first, else org.opencontainers.image.ref.name when it is a
// full reference ("docker.io/test/img:1"), else "localhost/" + it ("t" -> localhost/t:latest).
std::vector<std::string> names_from_annotations(const std::map<std::string, std::string>& annotations);

}  // namespace roost::archive
