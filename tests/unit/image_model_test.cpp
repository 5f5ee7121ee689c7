// The image model: references as Docker parses them, manifests and indexes as image-spec and
// Docker schema 2 write them, platform choice, layer media types, configs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "image/image_config.hpp"
#include "image/manifest.hpp"
#include "image/reference.hpp"
#include "util/error.hpp"

using namespace roost::image;

namespace {

const std::string kHex64 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string error_of(const std::string& text) {
  try {
    parse_reference(text);
  } catch (const roost::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

// ---- references ----

struct RefCase {
  const char* in;
  const char* domain;
  const char* path;
  const char* tag;
  const char* digest;  // "" for none
  const char* familiar;
};

TEST(Reference, ValidReferencesNormaliseAsDocker) {
  const std::string d = "sha256:" + kHex64;
  const std::vector<RefCase> cases = {
      {"busybox", "docker.io", "library/busybox", "latest", "", "busybox:latest"},
      {"busybox:1.36", "docker.io", "library/busybox", "1.36", "", "busybox:1.36"},
      {"docker.io/busybox", "docker.io", "library/busybox", "latest", "", "busybox:latest"},
      {"index.docker.io/busybox", "docker.io", "library/busybox", "latest", "", "busybox:latest"},
      {"docker.io/library/busybox:latest", "docker.io", "library/busybox", "latest", "", "busybox:latest"},
      {"user/app", "docker.io", "user/app", "latest", "", "user/app:latest"},
      {"index.docker.io/user/app:v2", "docker.io", "user/app", "v2", "", "user/app:v2"},
      {"docker.io/library/a/b", "docker.io", "library/a/b", "latest", "", "library/a/b:latest"},
      {"quay.io/a/b:1", "quay.io", "a/b", "1", "", "quay.io/a/b:1"},
      {"localhost/busybox", "localhost", "busybox", "latest", "", "localhost/busybox:latest"},
      {"localhost:5000/a/b:tag", "localhost:5000", "a/b", "tag", "", "localhost:5000/a/b:tag"},
      {"127.0.0.1:5443/x", "127.0.0.1:5443", "x", "latest", "", "127.0.0.1:5443/x:latest"},
      {"[::1]:5000/x:y", "[::1]:5000", "x", "y", "", "[::1]:5000/x:y"},
      {"Example.COM/x", "Example.COM", "x", "latest", "", "Example.COM/x:latest"},
      // "localhost:5000" alone has no '/': it is Docker Hub's library/localhost with tag 5000.
      {"localhost:5000", "docker.io", "library/localhost", "5000", "", "localhost:5000"},
      // A first component without '.', ':' and not "localhost" is a path component.
      {"foo/bar/baz", "docker.io", "foo/bar/baz", "latest", "", "foo/bar/baz:latest"},
      {"a.b-c/f_g", "a.b-c", "f_g", "latest", "", "a.b-c/f_g:latest"},
      {"x/a.b-c__d---e", "docker.io", "x/a.b-c__d---e", "latest", "", "x/a.b-c__d---e:latest"},
      {"busybox:Tag_1.0-rc", "docker.io", "library/busybox", "Tag_1.0-rc", "", "busybox:Tag_1.0-rc"},
      {"busybox:_x", "docker.io", "library/busybox", "_x", "", "busybox:_x"},
  };
  for (const RefCase& c : cases) {
    SCOPED_TRACE(c.in);
    Reference r = parse_reference(c.in);
    EXPECT_EQ(r.domain, c.domain);
    EXPECT_EQ(r.path, c.path);
    EXPECT_EQ(r.tag, c.tag);
    EXPECT_FALSE(r.digest.has_value());
    EXPECT_EQ(r.familiar(), c.familiar);
  }
}

TEST(Reference, DigestsAndTagsTogether) {
  const std::string d = "sha256:" + kHex64;
  Reference r = parse_reference("localhost:5000/a/b:tag@" + d);
  EXPECT_EQ(r.domain, "localhost:5000");
  EXPECT_EQ(r.path, "a/b");
  EXPECT_EQ(r.tag, "tag");
  ASSERT_TRUE(r.digest);
  EXPECT_EQ(r.digest->str(), d);
  EXPECT_EQ(r.str(), "localhost:5000/a/b:tag@" + d);
  EXPECT_EQ(r.manifest_ref(), d);
  EXPECT_TRUE(r.domain_given);

  Reference only = parse_reference("busybox@" + d);
  EXPECT_EQ(only.tag, "");
  EXPECT_EQ(only.str(), "docker.io/library/busybox@" + d);
  EXPECT_EQ(only.familiar(), "busybox@" + d);
  EXPECT_FALSE(only.domain_given);

  Reference tagged = parse_reference("busybox:1");
  EXPECT_EQ(tagged.manifest_ref(), "1");
  EXPECT_EQ(tagged.str(), "docker.io/library/busybox:1");
}

TEST(Reference, ApiHost) {
  EXPECT_EQ(parse_reference("busybox").api_host(), "registry-1.docker.io");
  EXPECT_EQ(parse_reference("index.docker.io/a/b").api_host(), "registry-1.docker.io");
  EXPECT_EQ(parse_reference("127.0.0.1:5000/a").api_host(), "127.0.0.1:5000");
  EXPECT_EQ(parse_reference("quay.io/a").name(), "quay.io/a");
}

TEST(Reference, InvalidReferences) {
  const std::string lowercase = "invalid reference format: repository name must be lowercase";
  const std::string format = "invalid reference format";
  EXPECT_EQ(error_of("Busybox"), lowercase);
  EXPECT_EQ(error_of("user/Busybox"), lowercase);
  EXPECT_EQ(error_of("quay.io/User/app:1"), lowercase);
  EXPECT_EQ(error_of("localhost:5000/A"), lowercase);
  for (const char* bad : {"", ":", "busybox:", "busybox@", "/busybox", "busybox/", "a//b", "-busybox", "busybox-",
                          "a..b", "a___b", "a.-b", "busybox:-tag", "busybox:.tag", "busybox:a/b", "busybox::1",
                          "quay.io:/a", "quay.io:x/a", "a.b_c/d", "-quay.io/a", "quay.io-/a", "[::1/a", "[]/a", "a b",
                          "busybox@sha256:abc", "busybox@sha256", "busybox@:" "0123456789abcdef0123456789abcdef",
                          "localhost:5000/a/b:tag@sha256:", "a@b@sha256:e3b0"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(error_of(bad), format);
  }
  // A tag of 128 characters is the most there may be.
  EXPECT_NO_THROW(parse_reference("busybox:" + std::string(128, 'a')));
  EXPECT_EQ(error_of("busybox:" + std::string(129, 'a')), format);
  // The whole normalised name is at most 255 characters ("docker.io/library/" counts).
  std::string long_path(255 - std::string("docker.io/library/").size(), 'a');
  EXPECT_NO_THROW(parse_reference(long_path));
  EXPECT_EQ(error_of(long_path + "a"), "invalid reference format: repository name must not be more than 255 characters");
  // Digests of a known grammar but a length or case roost cannot check are refused by Digest.
  EXPECT_THROW(parse_reference("busybox@sha256:" + std::string(64, 'A')), roost::Error);
  EXPECT_THROW(parse_reference("busybox@sha256:" + std::string(40, 'a')), roost::Error);
  EXPECT_THROW(parse_reference("busybox@md5:" + std::string(32, 'a')), roost::Error);
  // A bare image ID is not a name.
  EXPECT_NE(error_of(kHex64).find("cannot specify 64-byte hexadecimal strings"), std::string::npos);
}

// ---- manifests ----

// umoci 0.4's OCI manifest (no mediaType field, as image-spec allows) and skopeo 1.9's
// conversion of the same image to Docker schema 2, both made on this machine.
const char* kUmociManifest =
    R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:a323d7f6bf7c15e721eede966bb9c8fdcadf3c485c73b4dd7d3cd104b0e0252b","size":292},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:e8716e7dbd5a21c0bfea5f48597f8e737f6bb51c53cfc2d1c13c147410c36c36","size":133}]})";
const char* kSkopeoDockerManifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":292,"digest":"sha256:a323d7f6bf7c15e721eede966bb9c8fdcadf3c485c73b4dd7d3cd104b0e0252b"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":133,"digest":"sha256:e8716e7dbd5a21c0bfea5f48597f8e737f6bb51c53cfc2d1c13c147410c36c36"}]})";
const char* kUmociConfig =
    R"({"created":"2026-12-04T18:49:35.968839783Z","architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:f40fe7127178fa1ee778bbf4f7e8d9bbe0416928671255a2bdf87dc602074c77"]},"history":[{"created":"2026-12-04T18:49:35.978493589Z","created_by":"umoci insert"}]})"
    "\n";

TEST(Manifest, ParsesUmociAndSkopeo) {
  Manifest oci = parse_manifest(kUmociManifest);
  EXPECT_EQ(oci.media_type, media_type::kOciManifest);
  EXPECT_EQ(oci.config.media_type, media_type::kOciConfig);
  EXPECT_EQ(oci.config.size, 292);
  ASSERT_EQ(oci.layers.size(), 1u);
  EXPECT_EQ(oci.layers[0].digest.hex, "e8716e7dbd5a21c0bfea5f48597f8e737f6bb51c53cfc2d1c13c147410c36c36");
  EXPECT_EQ(layer_compression(oci.layers[0].media_type), LayerCompression::Gzip);

  Manifest docker = parse_manifest(kSkopeoDockerManifest, "application/vnd.docker.distribution.manifest.v2+json");
  EXPECT_EQ(docker.media_type, media_type::kDockerManifest);
  EXPECT_EQ(docker.config.digest, oci.config.digest);
  EXPECT_EQ(docker.layers[0].size, 133);

  EXPECT_EQ(document_kind("", kUmociManifest), DocumentKind::Manifest);
  EXPECT_EQ(document_kind("application/octet-stream", kSkopeoDockerManifest), DocumentKind::Manifest);
  EXPECT_EQ(document_kind("application/vnd.oci.image.manifest.v1+json; charset=utf-8", "{}"), DocumentKind::Manifest);
}

TEST(Manifest, ContentTypeFillsAMissingMediaType) {
  EXPECT_EQ(parse_manifest(kUmociManifest, media_type::kDockerManifest).media_type, media_type::kDockerManifest);
  EXPECT_EQ(parse_manifest(kUmociManifest, "application/json").media_type, media_type::kOciManifest);
  // The body's mediaType and a Content-Type naming another document type disagree.
  EXPECT_THROW(parse_manifest(kSkopeoDockerManifest, media_type::kOciManifest), roost::Error);
  EXPECT_THROW(parse_manifest(kUmociManifest, media_type::kOciIndex), roost::Error);
}

TEST(Manifest, WritesAndReadsBack) {
  Manifest m = parse_manifest(kSkopeoDockerManifest);
  m.annotations["a"] = "b";
  m.layers[0].urls = {"https://example.com/x"};
  std::string text = manifest_json(m);
  EXPECT_EQ(text.rfind(R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType")", 0), 0u);
  Manifest back = parse_manifest(text);
  EXPECT_EQ(back.media_type, m.media_type);
  EXPECT_EQ(back.config.digest, m.config.digest);
  EXPECT_EQ(back.layers[0].urls, m.layers[0].urls);
  EXPECT_EQ(back.annotations, m.annotations);
  EXPECT_EQ(manifest_json(back), text);
}

TEST(Manifest, RefusesWhatMatters) {
  auto with = [](std::string from, const std::string& to) {
    std::string s = kUmociManifest;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  const std::vector<std::string> bad = {
      with(R"("schemaVersion":2)", R"("schemaVersion":1)"),
      with(R"("schemaVersion":2)", R"("schemaVersion":"2")"),
      with(R"("schemaVersion":2,)", ""),
      with(R"("size":133)", R"("size":-1)"),
      with(R"("size":133)", R"("size":13.5)"),
      with(R"("size":133)", R"("size":"133")"),
      with(R"(,"size":133)", ""),
      with("sha256:e8716e7d", "sha256:E8716E7D"),
      with("sha256:e8716e7d", "sha256:"),
      with(R"("mediaType":"application/vnd.oci.image.layer.v1.tar+gzip",)", ""),
      with(R"("schemaVersion":2,)", R"("schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)"),
      with(R"("schemaVersion":2,)", R"("schemaVersion":2,"manifests":[],)"),
      with(R"("layers":[)", R"("layers":{"x":[)") + "}",
      R"({"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:)" + kHex64 + R"(","size":1}})",
      "[]",
      "{",
      "",
  };
  for (const std::string& b : bad) {
    SCOPED_TRACE(b);
    EXPECT_THROW(parse_manifest(b), roost::Error);
  }
  // Unknown fields and an empty layer list are fine.
  EXPECT_NO_THROW(parse_manifest(with(R"("schemaVersion":2,)", R"("schemaVersion":2,"x-future":{"a":[1]},)")));
  EXPECT_EQ(parse_manifest(with(R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:e8716e7dbd5a21c0bfea5f48597f8e737f6bb51c53cfc2d1c13c147410c36c36","size":133})", "")).layers.size(), 0u);
}

TEST(Manifest, SizeCap) {
  std::string big = kUmociManifest;
  big.insert(1, R"("pad":")" + std::string(kMaxManifestBytes, ' ') + R"(",)");
  ASSERT_GT(big.size(), kMaxManifestBytes);
  try {
    parse_manifest(big);
    FAIL() << "a manifest over the cap was accepted";
  } catch (const roost::Error& e) {
    EXPECT_NE(std::string(e.what()).find("more than the limit"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_index(big), roost::Error);
  EXPECT_EQ(document_kind("", big), DocumentKind::Unknown);
  // Just under the cap is parsed.
  std::string fits = kUmociManifest;
  fits.insert(1, R"("pad":")" + std::string(kMaxManifestBytes - fits.size() - 9, ' ') + R"(",)");
  ASSERT_EQ(fits.size(), kMaxManifestBytes);
  EXPECT_NO_THROW(parse_manifest(fits));
}

// ---- indexes and platforms ----

// A BuildKit index as docker buildx writes it (attestation-storage.md): two images, each with an
// attestation manifest of platform unknown/unknown, plus an entry of an unknown artifact type.
std::string buildkit_index() {
  auto digest = [](char c) { return "sha256:" + std::string(64, c); };
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
         R"({"mediaType":"application/vnd.example.unknown+json","digest":")" + digest('0') + R"(","size":10,"platform":{"architecture":"amd64","os":"linux"}},)"
         R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + digest('1') + R"(","size":481,"platform":{"architecture":"amd64","os":"linux"}},)"
         R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + digest('2') + R"(","size":481,"platform":{"architecture":"arm64","os":"linux"}},)"
         R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + digest('3') + R"(","size":839,"annotations":{"vnd.docker.reference.digest":")" + digest('1') + R"(","vnd.docker.reference.type":"attestation-manifest"},"platform":{"architecture":"unknown","os":"unknown"}},)"
         R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + digest('4') + R"(","size":839,"annotations":{"vnd.docker.reference.digest":")" + digest('2') + R"(","vnd.docker.reference.type":"attestation-manifest"},"platform":{"architecture":"arm64","os":"linux"}},)"
         R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + digest('5') + R"(","size":481,"platform":{"architecture":"arm","os":"linux","variant":"v7"}},)"
         R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + digest('6') + R"(","size":481,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}],)"
         R"("annotations":{"org.opencontainers.image.created":"2026-01-01T00:00:00Z"}})";
}

TEST(Index, ParsesAndChoosesPlatforms) {
  std::string body = buildkit_index();
  EXPECT_EQ(document_kind("", body), DocumentKind::Index);
  EXPECT_EQ(document_kind("application/vnd.docker.distribution.manifest.list.v2+json", ""), DocumentKind::Index);
  Index idx = parse_index(body);
  ASSERT_EQ(idx.manifests.size(), 7u);
  EXPECT_EQ(idx.annotations.at("org.opencontainers.image.created"), "2026-01-01T00:00:00Z");

  auto chosen = [&](const char* platform) -> char {
    const Descriptor* d = choose_platform(idx, parse_platform(platform));
    return d == nullptr ? '-' : d->digest.hex[0];
  };
  EXPECT_EQ(chosen("linux/amd64"), '1');     // the unknown media type before it is skipped
  EXPECT_EQ(chosen("linux/arm64/v8"), '2');  // "" means v8; the attestation for arm64 is skipped
  EXPECT_EQ(chosen("linux/arm64"), '2');
  EXPECT_EQ(chosen("linux/arm/v7"), '5');
  EXPECT_EQ(chosen("linux/arm/v6"), '-');
  EXPECT_EQ(chosen("linux/s390x"), '-');
  EXPECT_EQ(chosen("windows/amd64"), '-');
  EXPECT_EQ(chosen("unknown/unknown"), '-');  // attestations are never chosen

  // An explicit v8 entry matches a want of v8 when the "" one is not there.
  idx.manifests.erase(idx.manifests.begin() + 2);
  EXPECT_EQ(chosen("linux/arm64/v8"), '6');

  std::string text = index_json(idx);
  Index back = parse_index(text);
  ASSERT_EQ(back.manifests.size(), 6u);
  EXPECT_EQ(back.manifests[4].platform->variant, "v7");
  EXPECT_EQ(back.manifests[2].annotations.at("vnd.docker.reference.type"), "attestation-manifest");
  EXPECT_EQ(index_json(back), text);
}

TEST(Index, RefusesManifestsAndBadEntries) {
  EXPECT_THROW(parse_index(kUmociManifest), roost::Error);
  EXPECT_THROW(parse_index(R"({"schemaVersion":2})"), roost::Error);
  EXPECT_THROW(parse_index(R"({"schemaVersion":2,"manifests":[{"digest":"sha256:)" + kHex64 + R"(","size":1}]})"), roost::Error);
  EXPECT_THROW(parse_index(R"({"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"sha256:)" + kHex64 + R"(","size":1,"platform":{"os":"linux"}}]})"), roost::Error);
  EXPECT_THROW(parse_index(R"({"schemaVersion":2,"manifests":[]})", media_type::kOciManifest), roost::Error);
  // Docker's list with its own media type and an empty OCI index are both fine.
  EXPECT_EQ(parse_index(R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]})").media_type,
            media_type::kDockerList);
  EXPECT_EQ(parse_index(R"({"schemaVersion":2,"manifests":[]})").media_type, media_type::kOciIndex);
  EXPECT_EQ(document_kind("", R"({"schemaVersion":1,"fsLayers":[]})"), DocumentKind::Unknown);
  EXPECT_EQ(document_kind("application/vnd.docker.distribution.manifest.v1+prettyjws", "{}"), DocumentKind::Unknown);
  EXPECT_EQ(document_kind("", "not json"), DocumentKind::Unknown);
}

TEST(Platform, ParsesAndNames) {
  EXPECT_EQ(parse_platform("linux/arm64/v8").str(), "linux/arm64/v8");
  EXPECT_EQ(parse_platform("linux/amd64").str(), "linux/amd64");
  EXPECT_EQ(parse_platform("arm64").str(), "linux/arm64");
  EXPECT_EQ(parse_platform("linux/x86_64").str(), "linux/amd64");
  EXPECT_EQ(parse_platform("linux/aarch64").str(), "linux/arm64");
  EXPECT_EQ(parse_platform("linux/arm/7").str(), "linux/arm/v7");
  EXPECT_EQ(parse_platform("Linux/AMD64").str(), "linux/amd64");
  for (const char* bad : {"", "/", "linux/", "/amd64", "linux//v7", "a/b/c/d"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(parse_platform(bad), roost::Error);
  }
  Platform host = host_platform();
  EXPECT_EQ(host.os, "linux");
#if defined(__x86_64__)
  EXPECT_EQ(host.str(), "linux/amd64");
#elif defined(__aarch64__)
  EXPECT_EQ(host.str(), "linux/arm64/v8");
#endif
}

TEST(Layer, CompressionByMediaType) {
  EXPECT_EQ(layer_compression("application/vnd.oci.image.layer.v1.tar"), LayerCompression::None);
  EXPECT_EQ(layer_compression("application/vnd.oci.image.layer.v1.tar+gzip"), LayerCompression::Gzip);
  EXPECT_EQ(layer_compression("application/vnd.oci.image.layer.v1.tar+zstd"), LayerCompression::Zstd);
  EXPECT_EQ(layer_compression("application/vnd.oci.image.layer.nondistributable.v1.tar"), LayerCompression::None);
  EXPECT_EQ(layer_compression("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"), LayerCompression::Gzip);
  EXPECT_EQ(layer_compression("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"), LayerCompression::Zstd);
  EXPECT_EQ(layer_compression("application/vnd.docker.image.rootfs.diff.tar.gzip"), LayerCompression::Gzip);
  EXPECT_EQ(layer_compression("application/vnd.docker.image.rootfs.diff.tar"), LayerCompression::None);
  EXPECT_EQ(layer_compression("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"), LayerCompression::Gzip);
  EXPECT_EQ(layer_compression("application/vnd.docker.image.rootfs.foreign.diff.tar"), LayerCompression::None);
  EXPECT_EQ(layer_compression("application/vnd.in-toto+json"), LayerCompression::Unknown);
  EXPECT_EQ(layer_compression("application/vnd.oci.image.layer.v1.tar+bzip2"), LayerCompression::Unknown);
  EXPECT_FALSE(is_layer_media_type(media_type::kOciConfig));
  EXPECT_TRUE(is_layer_media_type(media_type::kOciLayerZstd));
}

// ---- configs ----

TEST(ImageConfig, ParsesUmocisConfig) {
  ImageConfig c = parse_image_config(kUmociConfig);
  EXPECT_EQ(c.raw, kUmociConfig);
  EXPECT_EQ(c.created, "2026-12-04T18:49:35.968839783Z");
  EXPECT_EQ(c.platform.str(), "linux/amd64");
  ASSERT_EQ(c.diff_ids.size(), 1u);
  EXPECT_EQ(c.diff_ids[0].hex, "f40fe7127178fa1ee778bbf4f7e8d9bbe0416928671255a2bdf87dc602074c77");
  EXPECT_TRUE(c.config.is_object());
  ASSERT_TRUE(c.history.is_array());
  EXPECT_EQ(c.history[0]["created_by"], "umoci insert");
  // The image ID is the config's digest: the raw bytes are kept exactly.
  EXPECT_EQ(sha256_of(c.raw).hex, "a323d7f6bf7c15e721eede966bb9c8fdcadf3c485c73b4dd7d3cd104b0e0252b");
}

TEST(ImageConfig, Refuses) {
  for (std::string bad : {std::string("{}"), std::string(R"({"rootfs":{"type":"layers"}})"),
                          std::string(R"({"rootfs":{"type":"other","diff_ids":[]}})"),
                          std::string(R"({"rootfs":{"type":"layers","diff_ids":["sha256:abc"]}})"),
                          std::string(R"({"rootfs":{"type":"layers","diff_ids":[]},"config":[]})"),
                          std::string(R"({"rootfs":{"type":"layers","diff_ids":[]},"created":5})"),
                          std::string("[1]"), std::string("nope")}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(parse_image_config(bad), roost::Error);
  }
  std::string big = kUmociConfig;
  big.insert(1, R"("pad":")" + std::string(kMaxConfigBytes, ' ') + R"(",)");
  EXPECT_THROW(parse_image_config(big), roost::Error);
  ImageConfig minimal = parse_image_config(R"({"rootfs":{"type":"layers","diff_ids":[]}})");
  EXPECT_TRUE(minimal.diff_ids.empty());
  EXPECT_TRUE(minimal.config.is_object());
  EXPECT_TRUE(minimal.history.is_null());
}
