// The JSON documents of image-spec and Docker's schema 2: descriptors, manifests, indexes (Docker
// manifest lists), their media types, and the choice of a platform from an index.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "image/digest.hpp"

namespace roost::image {

namespace media_type {
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr const char* kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr const char* kOciEmpty = "application/vnd.oci.empty.v1+json";
inline constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr const char* kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr const char* kDockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
}  // namespace media_type

// Manifests, indexes and configs larger than this are refused (containers/image's cap).
inline constexpr size_t kMaxManifestBytes = 4u << 20;
inline constexpr size_t kMaxConfigBytes = 4u << 20;

struct Platform {
  std::string os;            // "linux"
  std::string architecture;  // "amd64", "arm64"
  std::string variant;       // "v8", "v7", or ""
  std::string os_version;
  std::vector<std::string> os_features;
  std::string str() const;   // "linux/arm64/v8"
};

// "linux/arm64/v8", "linux/amd64", "arm64" (os defaults to linux); throws roost::Error.
Platform parse_platform(std::string_view text);
// This machine's platform as Go names it (uname machine -> amd64, arm64 v8, arm v7, ...).
Platform host_platform();

struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;
  std::string artifact_type;
};

enum class LayerCompression { None, Gzip, Zstd, Unknown };
// From a layer's media type (OCI, Docker, foreign/non-distributable); Unknown for anything else.
LayerCompression layer_compression(std::string_view media_type);
bool is_layer_media_type(std::string_view media_type);

struct Manifest {
  int schema_version = 2;
  std::string media_type;  // from the body, else the Content-Type it came with
  Descriptor config;
  std::vector<Descriptor> layers;  // base first
  std::map<std::string, std::string> annotations;
};

struct Index {
  int schema_version = 2;
  std::string media_type;
  std::vector<Descriptor> manifests;
  std::map<std::string, std::string> annotations;
};

enum class DocumentKind { Manifest, Index, Unknown };
// What a manifest endpoint returned: by Content-Type, and by the body's mediaType (or its shape:
// "manifests" vs "layers") when the type is missing or generic. Schema 1 is Unknown.
DocumentKind document_kind(std::string_view content_type, std::string_view body);

// Parse and validate (schemaVersion 2, digests, sizes >= 0); unknown fields are ignored as
// image-spec asks; a body over kMaxManifestBytes, bad JSON or a missing field throws roost::Error.
Manifest parse_manifest(std::string_view body, std::string_view content_type = {});
Index parse_index(std::string_view body, std::string_view content_type = {});
// Canonical JSON of a manifest or index that roost writes itself (save, load of docker-archive).
std::string manifest_json(const Manifest&);
std::string index_json(const Index&);

// The first entry of the index for `want` (os, architecture, and variant when `want` has one;
// arm64 with no variant matches v8), skipping BuildKit attestation manifests and entries of
// unknown media types; nullptr when none matches.
const Descriptor* choose_platform(const Index& index, const Platform& want);

}  // namespace roost::image
