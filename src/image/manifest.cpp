// Manifests and indexes: parsed strictly where a mistake would store the wrong bytes (schema
// version, descriptor digests and sizes, which kind of document it is), leniently elsewhere
// (unknown fields and unknown media types in an index are ignored, as image-spec asks).
#include "image/manifest.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace roost::image {

namespace {

using nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr const char* kOciLayerNondist = "application/vnd.oci.image.layer.nondistributable.v1.tar";
constexpr const char* kOciLayerNondistGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
constexpr const char* kOciLayerNondistZstd = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
constexpr const char* kDockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
constexpr const char* kDockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar";
constexpr const char* kDockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
constexpr const char* kDockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
constexpr const char* kAttestationKey = "vnd.docker.reference.type";

bool is_manifest_type(std::string_view t) { return t == media_type::kOciManifest || t == media_type::kDockerManifest; }
bool is_index_type(std::string_view t) { return t == media_type::kOciIndex || t == media_type::kDockerList; }

// "application/json; charset=utf-8" -> "application/json".
std::string_view bare_type(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && (content_type.back() == ' ' || content_type.back() == '\t')) content_type.remove_suffix(1);
  while (!content_type.empty() && (content_type.front() == ' ' || content_type.front() == '\t')) content_type.remove_prefix(1);
  return content_type;
}

json parse_json(std::string_view body, const char* what) {
  if (body.size() > kMaxManifestBytes)
    throw Error(std::string(what) + ": " + std::to_string(body.size()) + " bytes, more than the limit of " +
                std::to_string(kMaxManifestBytes));
  json doc;
  try {
    doc = json::parse(body);
  } catch (const json::exception& e) {
    throw Error(std::string(what) + ": invalid JSON: " + e.what());
  }
  if (!doc.is_object()) throw Error(std::string(what) + ": not a JSON object");
  return doc;
}

std::string get_string(const json& obj, const char* key, const std::string& where, bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) throw Error(where + ": \"" + key + "\" is missing");
    return {};
  }
  if (!it->is_string()) throw Error(where + ": \"" + key + "\" is not a string");
  return it->get<std::string>();
}

std::map<std::string, std::string> get_annotations(const json& obj, const std::string& where) {
  std::map<std::string, std::string> out;
  auto it = obj.find("annotations");
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_object()) throw Error(where + ": \"annotations\" is not an object");
  for (auto& [k, v] : it->items()) {
    if (!v.is_string()) throw Error(where + ": annotation \"" + k + "\" is not a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

std::vector<std::string> get_string_array(const json& obj, const char* key, const std::string& where) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) throw Error(where + ": \"" + key + "\" is not an array");
  for (const json& v : *it) {
    if (!v.is_string()) throw Error(where + ": \"" + key + "\" holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

void check_schema_version(const json& doc, const char* what) {
  auto it = doc.find("schemaVersion");
  if (it == doc.end()) throw Error(std::string(what) + ": \"schemaVersion\" is missing");
  if (!it->is_number_integer() || it->get<int64_t>() != 2)
    throw Error(std::string(what) + ": schemaVersion " + it->dump() + " is not supported (only 2)");
}

Platform parse_platform_object(const json& p, const std::string& where) {
  if (!p.is_object()) throw Error(where + ": \"platform\" is not an object");
  Platform out;
  out.os = get_string(p, "os", where + ".platform", true);
  out.architecture = get_string(p, "architecture", where + ".platform", true);
  out.variant = get_string(p, "variant", where + ".platform", false);
  out.os_version = get_string(p, "os.version", where + ".platform", false);
  out.os_features = get_string_array(p, "os.features", where + ".platform");
  return out;
}

Descriptor parse_descriptor(const json& d, const std::string& where) {
  if (!d.is_object()) throw Error(where + ": not an object");
  Descriptor out;
  out.media_type = get_string(d, "mediaType", where, true);
  std::string digest = get_string(d, "digest", where, true);
  if (!Digest::valid(digest)) throw Error(where + ": invalid digest \"" + digest.substr(0, 200) + "\"");
  out.digest = Digest::parse(digest);
  auto size = d.find("size");
  if (size == d.end()) throw Error(where + ": \"size\" is missing");
  if (size->is_number_unsigned()) {
    if (size->get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max())) throw Error(where + ": size is too large");
    out.size = int64_t(size->get<uint64_t>());
  } else if (size->is_number_integer()) {
    out.size = size->get<int64_t>();
    if (out.size < 0) throw Error(where + ": negative size " + std::to_string(out.size));
  } else {
    throw Error(where + ": \"size\" is not an integer");
  }
  out.urls = get_string_array(d, "urls", where);
  out.annotations = get_annotations(d, where);
  auto platform = d.find("platform");
  if (platform != d.end() && !platform->is_null()) out.platform = parse_platform_object(*platform, where);
  out.artifact_type = get_string(d, "artifactType", where, false);
  return out;
}

// The media type a document has: its own mediaType field, else the Content-Type it came with
// when that names the same kind, else the OCI type of that kind. A body and a Content-Type that
// name two different known document types is an error (the body's mediaType MUST match).
std::string document_media_type(const json& doc, std::string_view content_type, bool want_index, const char* what) {
  std::string body_type = get_string(doc, "mediaType", what, false);
  std::string_view header = bare_type(content_type);
  auto kind_ok = [&](std::string_view t) { return want_index ? is_index_type(t) : is_manifest_type(t); };
  if (!body_type.empty()) {
    if (!kind_ok(body_type))
      throw Error(std::string(what) + ": mediaType \"" + body_type + "\" is not " + (want_index ? "an index" : "an image manifest"));
    if ((is_manifest_type(header) || is_index_type(header)) && header != body_type)
      throw Error(std::string(what) + ": mediaType \"" + body_type + "\" disagrees with Content-Type \"" + std::string(header) + "\"");
    return body_type;
  }
  if (kind_ok(header)) return std::string(header);
  if (is_manifest_type(header) || is_index_type(header))
    throw Error(std::string(what) + ": Content-Type \"" + std::string(header) + "\" is not " + (want_index ? "an index" : "an image manifest"));
  return want_index ? media_type::kOciIndex : media_type::kOciManifest;
}

ordered_json platform_json(const Platform& p) {
  ordered_json out = {{"architecture", p.architecture}, {"os", p.os}};
  if (!p.os_version.empty()) out["os.version"] = p.os_version;
  if (!p.os_features.empty()) out["os.features"] = p.os_features;
  if (!p.variant.empty()) out["variant"] = p.variant;
  return out;
}

ordered_json descriptor_json(const Descriptor& d) {
  ordered_json out;
  out["mediaType"] = d.media_type;
  out["digest"] = d.digest.str();
  out["size"] = d.size;
  if (!d.urls.empty()) out["urls"] = d.urls;
  if (!d.annotations.empty()) out["annotations"] = d.annotations;
  if (d.platform) out["platform"] = platform_json(*d.platform);
  if (!d.artifact_type.empty()) out["artifactType"] = d.artifact_type;
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

std::string Platform::str() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

Platform parse_platform(std::string_view text) {
  std::vector<std::string> parts;
  std::string_view rest = text;
  while (true) {
    size_t slash = rest.find('/');
    parts.push_back(lower(rest.substr(0, slash)));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  bool bad = parts.size() > 3 || std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); });
  if (bad) throw Error("invalid platform \"" + std::string(text) + "\" (want OS/ARCH[/VARIANT])");
  Platform p;
  if (parts.size() == 1) {
    p.os = "linux";
    p.architecture = parts[0];
  } else {
    p.os = parts[0];
    p.architecture = parts[1];
    if (parts.size() == 3) p.variant = parts[2];
  }
  // The machine names people type for Go's architecture names (as containerd's platforms do).
  if (p.architecture == "x86_64" || p.architecture == "x86-64") p.architecture = "amd64";
  else if (p.architecture == "aarch64") p.architecture = "arm64";
  else if (p.architecture == "i386" || p.architecture == "i686") p.architecture = "386";
  else if (p.architecture == "armhf" && p.variant.empty()) p = Platform{p.os, "arm", "v7"};
  else if (p.architecture == "armel" && p.variant.empty()) p = Platform{p.os, "arm", "v6"};
  if ((p.architecture == "arm" || p.architecture == "arm64") && p.variant.size() == 1 && isdigit((unsigned char)p.variant[0]))
    p.variant = "v" + p.variant;
  return p;
}

Platform host_platform() {
  struct utsname u;
  if (uname(&u) != 0) throw_errno("uname");
  std::string m = u.machine;
  Platform p{"linux", m, ""};
  if (m == "x86_64") p.architecture = "amd64";
  else if (m == "aarch64" || m == "arm64") p = {"linux", "arm64", "v8"};
  else if (m.starts_with("armv8")) p = {"linux", "arm", "v8"};  // a 32-bit kernel on an ARMv8 core
  else if (m.starts_with("armv7")) p = {"linux", "arm", "v7"};
  else if (m.starts_with("armv6")) p = {"linux", "arm", "v6"};
  else if (m.starts_with("armv5")) p = {"linux", "arm", "v5"};
  else if (m == "i386" || m == "i486" || m == "i586" || m == "i686") p.architecture = "386";
  else if (m == "loongarch64") p.architecture = "loong64";
  else if (m == "mips64" || m == "mips64el") p.architecture = m == "mips64" ? "mips64" : "mips64le";
  // ppc64le, s390x, riscv64 are already Go's names.
  return p;
}

LayerCompression layer_compression(std::string_view t) {
  if (t == media_type::kOciLayer || t == kOciLayerNondist || t == kDockerLayer || t == kDockerForeignLayer)
    return LayerCompression::None;
  if (t == media_type::kOciLayerGzip || t == kOciLayerNondistGzip || t == media_type::kDockerLayerGzip ||
      t == media_type::kDockerForeignLayerGzip)
    return LayerCompression::Gzip;
  if (t == media_type::kOciLayerZstd || t == kOciLayerNondistZstd) return LayerCompression::Zstd;
  return LayerCompression::Unknown;
}

bool is_layer_media_type(std::string_view t) { return layer_compression(t) != LayerCompression::Unknown; }

DocumentKind document_kind(std::string_view content_type, std::string_view body) {
  std::string_view header = bare_type(content_type);
  if (is_manifest_type(header)) return DocumentKind::Manifest;
  if (is_index_type(header)) return DocumentKind::Index;
  if (header == kDockerSchema1 || header == kDockerSchema1Signed) return DocumentKind::Unknown;
  if (body.size() > kMaxManifestBytes) return DocumentKind::Unknown;
  json doc = json::parse(body, nullptr, false);
  if (!doc.is_object()) return DocumentKind::Unknown;
  auto version = doc.find("schemaVersion");
  if (version == doc.end() || !version->is_number_integer() || version->get<int64_t>() != 2) return DocumentKind::Unknown;
  auto mt = doc.find("mediaType");
  if (mt != doc.end() && mt->is_string()) {
    std::string t = mt->get<std::string>();
    if (is_manifest_type(t)) return DocumentKind::Manifest;
    if (is_index_type(t)) return DocumentKind::Index;
    return DocumentKind::Unknown;
  }
  bool has_manifests = doc.contains("manifests"), has_layers = doc.contains("layers") || doc.contains("config");
  if (has_manifests && !has_layers) return DocumentKind::Index;
  if (has_layers && !has_manifests) return DocumentKind::Manifest;
  return DocumentKind::Unknown;
}

Manifest parse_manifest(std::string_view body, std::string_view content_type) {
  json doc = parse_json(body, "manifest");
  check_schema_version(doc, "manifest");
  Manifest m;
  m.media_type = document_media_type(doc, content_type, false, "manifest");
  if (doc.contains("manifests")) throw Error("manifest: has \"manifests\", the field of an index");
  auto config = doc.find("config");
  if (config == doc.end()) throw Error("manifest: \"config\" is missing");
  m.config = parse_descriptor(*config, "manifest config");
  auto layers = doc.find("layers");
  if (layers == doc.end() || layers->is_null()) {
    // image-spec lets an artifact manifest have no layers only with an empty layer list; Docker
    // schema 2 requires the field. Either way a missing list is not an image.
    throw Error("manifest: \"layers\" is missing");
  }
  if (!layers->is_array()) throw Error("manifest: \"layers\" is not an array");
  for (size_t i = 0; i < layers->size(); ++i)
    m.layers.push_back(parse_descriptor((*layers)[i], "manifest layers[" + std::to_string(i) + "]"));
  m.annotations = get_annotations(doc, "manifest");
  return m;
}

Index parse_index(std::string_view body, std::string_view content_type) {
  json doc = parse_json(body, "index");
  check_schema_version(doc, "index");
  Index idx;
  idx.media_type = document_media_type(doc, content_type, true, "index");
  if (doc.contains("config") || doc.contains("layers")) throw Error("index: has \"config\"/\"layers\", the fields of a manifest");
  auto manifests = doc.find("manifests");
  if (manifests == doc.end() || manifests->is_null()) throw Error("index: \"manifests\" is missing");
  if (!manifests->is_array()) throw Error("index: \"manifests\" is not an array");
  for (size_t i = 0; i < manifests->size(); ++i)
    idx.manifests.push_back(parse_descriptor((*manifests)[i], "index manifests[" + std::to_string(i) + "]"));
  idx.annotations = get_annotations(doc, "index");
  return idx;
}

std::string manifest_json(const Manifest& m) {
  ordered_json out;
  out["schemaVersion"] = 2;
  out["mediaType"] = m.media_type.empty() ? std::string(media_type::kOciManifest) : m.media_type;
  out["config"] = descriptor_json(m.config);
  out["layers"] = ordered_json::array();
  for (const Descriptor& d : m.layers) out["layers"].push_back(descriptor_json(d));
  if (!m.annotations.empty()) out["annotations"] = m.annotations;
  return out.dump();
}

std::string index_json(const Index& idx) {
  ordered_json out;
  out["schemaVersion"] = 2;
  out["mediaType"] = idx.media_type.empty() ? std::string(media_type::kOciIndex) : idx.media_type;
  out["manifests"] = ordered_json::array();
  for (const Descriptor& d : idx.manifests) out["manifests"].push_back(descriptor_json(d));
  if (!idx.annotations.empty()) out["annotations"] = idx.annotations;
  return out.dump();
}

const Descriptor* choose_platform(const Index& index, const Platform& want) {
  for (const Descriptor& d : index.manifests) {
    if (!is_manifest_type(d.media_type)) continue;  // unknown types (and nested indexes) are not candidates
    auto ref_type = d.annotations.find(kAttestationKey);
    if (ref_type != d.annotations.end() && ref_type->second == "attestation-manifest") continue;
    if (!d.platform) continue;
    const Platform& p = *d.platform;
    if (p.os != want.os || p.architecture != want.architecture) continue;
    if (!want.variant.empty() && p.variant != want.variant) {
      // arm64 images mostly leave the variant out: "" means v8 there.
      bool arm64_default = want.architecture == "arm64" && want.variant == "v8" && p.variant.empty();
      if (!arm64_default) continue;
    }
    return &d;
  }
  return nullptr;
}

}  // namespace roost::image
