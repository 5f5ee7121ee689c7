// Image archives as `roost load` opens them: format detection and indexing on small archives made
// here with tar::Writer (OCI layout, docker-archive legacy, Docker v25 hybrid, compressed whole,
// directories), and the checks that refuse bad ones before anything is stored.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>

#include "archive/archive_source.hpp"
#include "archive/exporter.hpp"
#include "archive/importer.hpp"
#include "image/manifest.hpp"
#include "store/store.hpp"
#include "tar/tar_writer.hpp"
#include "util/byte_sink.hpp"
#include "util/error.hpp"

using namespace roost;
using roost::archive::ArchiveFormat;
using roost::archive::ArchiveSource;

namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/roost-archive-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

// Members in order; a value starting with "->" is a symlink to the rest.
using Members = std::vector<std::pair<std::string, std::string>>;

void write_tar(const fs::path& file, const Members& members) {
  std::string bytes;
  struct Sink : util::ByteSink {
    std::string& s;
    explicit Sink(std::string& s) : s(s) {}
    void write(const uint8_t* d, size_t n) override { s.append(reinterpret_cast<const char*>(d), n); }
    void finish() override {}
  } sink(bytes);
  tar::Writer w(sink);
  for (const auto& [path, content] : members) {
    if (content.starts_with("->")) {
      tar::Entry e;
      e.path = path;
      e.type = tar::EntryType::Symlink;
      e.link_target = content.substr(2);
      e.mode = 0777;
      w.begin(e);
      w.end();
    } else {
      w.add_file(path, content);
    }
  }
  w.finish();
  std::ofstream(file, std::ios::binary) << bytes;
}

std::string sha(const std::string& s) { return image::sha256_of(s).str(); }
std::string hex(const std::string& s) { return image::sha256_of(s).hex; }

// A one-layer image: the layer's "blob" bytes need not be a real tar for the source, which only
// locates members (the importer's LayerWriter parses them).
struct Fixture {
  std::string layer = std::string("layer-bytes-") + std::string(3000, 'x');
  std::string config;
  std::string manifest;
  Fixture() {
    config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[")" + sha(layer) + R"("]}})";
    manifest = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
               sha(config) + R"(","size":)" + std::to_string(config.size()) +
               R"(},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":")" + sha(layer) +
               R"(","size":)" + std::to_string(layer.size()) + "}]}";
  }
  std::string index(const std::string& annotations = R"({"org.opencontainers.image.ref.name":"docker.io/test/img:1"})") const {
    return R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + sha(manifest) +
           R"(","size":)" + std::to_string(manifest.size()) + R"(,"annotations":)" + annotations + "}]}";
  }
  Members oci(const std::string& index_json) const {
    return {{"oci-layout", R"({"imageLayoutVersion":"1.0.0"})"},
            {"index.json", index_json},
            {"blobs/sha256/" + hex(manifest), manifest},
            {"blobs/sha256/" + hex(config), config},
            {"blobs/sha256/" + hex(layer), layer}};
  }
  Members docker(const std::string& repo_tags = R"(["busybox:1"])") const {
    return {{hex(layer) + ".tar", layer},
            {"abc/layer.tar", "->../" + hex(layer) + ".tar"},
            {hex(config) + ".json", config},
            {"manifest.json", R"([{"Config":")" + hex(config) + R"(.json","RepoTags":)" + repo_tags + R"(,"Layers":["abc/layer.tar"]}])"}};
  }
};

std::string open_error(const fs::path& p, const fs::path& tmp) {
  try {
    ArchiveSource::open(p, tmp);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ArchiveSource, OciArchive) {
  TempDir t;
  Fixture f;
  write_tar(t.path / "a.tar", f.oci(f.index()));
  ArchiveSource src = ArchiveSource::open(t.path / "a.tar", t.path / "tmp");
  EXPECT_EQ(src.format(), ArchiveFormat::OciArchive);
  EXPECT_EQ(src.compression(), archive::OuterCompression::None);
  ASSERT_EQ(src.images().size(), 1u);
  const archive::SourceImage& img = src.images()[0];
  EXPECT_EQ(img.names, std::vector<std::string>{"docker.io/test/img:1"});
  EXPECT_EQ(img.manifest, f.manifest);
  EXPECT_EQ(img.manifest_media_type, image::media_type::kOciManifest);
  EXPECT_EQ(img.config, f.config);
  ASSERT_EQ(img.layers.size(), 1u);
  ASSERT_TRUE(img.layers[0].member);
  ASSERT_TRUE(img.layers[0].descriptor);
  EXPECT_EQ(img.layers[0].descriptor->digest.str(), sha(f.layer));
  EXPECT_EQ(src.read(*img.layers[0].member, 1 << 20), f.layer);
  EXPECT_EQ(src.peek(*img.layers[0].member, 5), "layer");
}

TEST(ArchiveSource, OneManifestUnderTwoNamesIsOneImage) {
  TempDir t;
  Fixture f;
  std::string entry = R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + sha(f.manifest) +
                      R"(","size":)" + std::to_string(f.manifest.size());
  std::string index = R"({"schemaVersion":2,"manifests":[)" + entry + R"(,"annotations":{"org.opencontainers.image.ref.name":"docker.io/a/b:1"}},)" +
                      entry + R"(,"annotations":{"org.opencontainers.image.ref.name":"docker.io/a/b:2"}},)" +
                      R"({"mediaType":"application/vnd.in-toto+json","digest":"sha256:)" + std::string(64, '2') + R"(","size":3}]})";
  write_tar(t.path / "a.tar", f.oci(index));
  ArchiveSource src = ArchiveSource::open(t.path / "a.tar", t.path / "tmp");
  ASSERT_EQ(src.images().size(), 1u);
  EXPECT_EQ(src.images()[0].names, (std::vector<std::string>{"docker.io/a/b:1", "docker.io/a/b:2"}));
}

TEST(ArchiveSource, CompressedWholeArchives) {
  TempDir t;
  Fixture f;
  write_tar(t.path / "a.tar", f.docker());
  ASSERT_EQ(system(("gzip -k " + (t.path / "a.tar").string()).c_str()), 0);
  ASSERT_EQ(system(("zstd -q " + (t.path / "a.tar").string() + " -o " + (t.path / "a.tar.zst").string()).c_str()), 0);
  for (auto [file, want] : {std::pair{"a.tar.gz", archive::OuterCompression::Gzip}, std::pair{"a.tar.zst", archive::OuterCompression::Zstd}}) {
    SCOPED_TRACE(file);
    ArchiveSource src = ArchiveSource::open(t.path / file, t.path / "tmp");
    EXPECT_EQ(src.compression(), want);
    EXPECT_EQ(src.format(), ArchiveFormat::DockerArchive);
    ASSERT_EQ(src.images().size(), 1u);
    EXPECT_EQ(src.read(*src.images()[0].layers[0].member, 1 << 20), f.layer);
  }
  // The inflated copy is an unnamed file: nothing is left in the temporary directory.
  EXPECT_TRUE(fs::is_empty(t.path / "tmp"));
  ASSERT_EQ(system(("bzip2 -k " + (t.path / "a.tar").string()).c_str()), 0);
  EXPECT_NE(open_error(t.path / "a.tar.bz2", t.path / "tmp").find("bzip2"), std::string::npos);
}

TEST(ArchiveSource, FromAPipe) {
  TempDir t;
  Fixture f;
  write_tar(t.path / "a.tar", f.oci(f.index()));
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  pid_t child = fork();
  if (child == 0) {
    close(p[0]);
    std::ifstream in(t.path / "a.tar", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), {});
    for (size_t off = 0; off < all.size(); off += 700)  // small writes: the magic may come in pieces
      if (write(p[1], all.data() + off, std::min<size_t>(700, all.size() - off)) < 0) _exit(1);
    _exit(0);
  }
  close(p[1]);
  ArchiveSource src = ArchiveSource::open_fd(p[0], "stdin", t.path / "tmp");
  close(p[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_EQ(src.images().size(), 1u);
  EXPECT_EQ(src.read(*src.images()[0].layers[0].member, 1 << 20), f.layer);
}

TEST(ArchiveSource, DockerArchiveFollowsOneSymlink) {
  TempDir t;
  Fixture f;
  write_tar(t.path / "d.tar", f.docker(R"(["busybox:1","quay.io/a/b:2"])"));
  ArchiveSource src = ArchiveSource::open(t.path / "d.tar", t.path / "tmp");
  EXPECT_EQ(src.format(), ArchiveFormat::DockerArchive);
  ASSERT_EQ(src.images().size(), 1u);
  const archive::SourceImage& img = src.images()[0];
  EXPECT_EQ(img.names, (std::vector<std::string>{"docker.io/library/busybox:1", "quay.io/a/b:2"}));
  EXPECT_TRUE(img.manifest.empty());
  EXPECT_EQ(img.config, f.config);
  ASSERT_EQ(img.layers.size(), 1u);
  EXPECT_FALSE(img.layers[0].descriptor);
  EXPECT_EQ(img.layers[0].member->path, hex(f.layer) + ".tar");
  EXPECT_EQ(src.read(*img.layers[0].member, 1 << 20), f.layer);

  // Two levels of links are not followed.
  Members twice = f.docker();
  twice.push_back({"def/layer.tar", "->../abc/layer.tar"});
  twice[3].second = R"([{"Config":")" + hex(f.config) + R"(.json","RepoTags":null,"Layers":["def/layer.tar"]}])";
  write_tar(t.path / "twice.tar", twice);
  EXPECT_NE(open_error(t.path / "twice.tar", t.path / "tmp").find("layer def/layer.tar is not in the archive"), std::string::npos);
}

TEST(ArchiveSource, HybridArchivesPreferIndexJson) {
  TempDir t;
  Fixture f;
  Members m = f.oci(f.index(R"({"io.containerd.image.name":"docker.io/library/hybrid:25","org.opencontainers.image.ref.name":"25"})"));
  m.push_back({"manifest.json", R"([{"Config":"blobs/sha256/)" + hex(f.config) + R"(","RepoTags":["other:1"],"Layers":["blobs/sha256/)" + hex(f.layer) + R"("]}])"});
  write_tar(t.path / "h.tar", m);
  ArchiveSource src = ArchiveSource::open(t.path / "h.tar", t.path / "tmp");
  EXPECT_EQ(src.format(), ArchiveFormat::OciArchive);
  ASSERT_EQ(src.images().size(), 1u);
  EXPECT_EQ(src.images()[0].names, std::vector<std::string>{"docker.io/library/hybrid:25"});
  EXPECT_EQ(src.images()[0].manifest, f.manifest);
}

TEST(ArchiveSource, LayoutDirectory) {
  TempDir t;
  Fixture f;
  for (const auto& [path, content] : f.oci(f.index(R"({"org.opencontainers.image.ref.name":"t"})"))) {
    fs::create_directories((t.path / "lay" / path).parent_path());
    std::ofstream(t.path / "lay" / path, std::ios::binary) << content;
  }
  ArchiveSource src = ArchiveSource::open(t.path / "lay", t.path / "tmp");
  EXPECT_EQ(src.format(), ArchiveFormat::OciDir);
  ASSERT_EQ(src.images().size(), 1u);
  EXPECT_EQ(src.images()[0].names, std::vector<std::string>{"localhost/t:latest"});
  EXPECT_EQ(src.read(*src.images()[0].layers[0].member, 1 << 20), f.layer);
  EXPECT_FALSE(src.find("../lay/oci-layout"));
  fs::remove(t.path / "lay" / "oci-layout");
  EXPECT_NE(open_error(t.path / "lay", t.path / "tmp").find("not an OCI image layout"), std::string::npos);
}

TEST(ArchiveSource, NestedIndexChoosesThisMachine) {
  TempDir t;
  Fixture f;
  image::Platform host = image::host_platform();
  std::string nested = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
                       R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" + std::string(64, '1') +
                       R"(","size":5,"platform":{"os":"linux","architecture":"none"}},)"
                       R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + sha(f.manifest) + R"(","size":)" +
                       std::to_string(f.manifest.size()) + R"(,"platform":{"os":"linux","architecture":")" + host.architecture +
                       R"(","variant":")" + host.variant + R"("}}]})";
  std::string index = R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":")" + sha(nested) +
                      R"(","size":)" + std::to_string(nested.size()) + R"(,"annotations":{"org.opencontainers.image.ref.name":"quay.io/m/n:3"}}]})";
  Members m = f.oci(index);
  m.push_back({"blobs/sha256/" + hex(nested), nested});
  write_tar(t.path / "n.tar", m);
  ArchiveSource src = ArchiveSource::open(t.path / "n.tar", t.path / "tmp");
  ASSERT_EQ(src.images().size(), 1u);
  EXPECT_EQ(src.images()[0].names, std::vector<std::string>{"quay.io/m/n:3"});
  EXPECT_EQ(src.images()[0].manifest, f.manifest);
}

TEST(ArchiveSource, RefusesBadArchives) {
  TempDir t;
  Fixture f;
  auto refused = [&](const std::string& name, const Members& m, const std::string& what) {
    SCOPED_TRACE(name);
    write_tar(t.path / name, m);
    std::string err = open_error(t.path / name, t.path / "tmp");
    EXPECT_NE(err.find(what), std::string::npos) << err;
    EXPECT_NE(err.find(name), std::string::npos) << "the error names the file: " << err;
  };
  refused("none.tar", {{"hello", "x"}}, "not an image archive");
  Members bad_blob = f.oci(f.index());
  bad_blob[2].second[5] ^= 1;  // the manifest no longer matches its digest
  refused("bad-blob.tar", bad_blob, "does not match its digest");
  Members no_manifest = f.oci(f.index());
  no_manifest.erase(no_manifest.begin() + 2);
  refused("no-manifest.tar", no_manifest, "is not in the archive");
  Members no_config = f.docker();
  no_config.erase(no_config.begin() + 2);
  refused("no-config.tar", no_config, "is not in the archive");
  Members no_layer = f.docker();
  no_layer.erase(no_layer.begin());
  refused("no-layer.tar", no_layer, "layer abc/layer.tar is not in the archive");
  refused("bad-tag.tar", f.docker(R"(["Busybox:1"])"), "repository name must be lowercase");
  refused("bad-name.tar", f.oci(f.index(R"({"org.opencontainers.image.ref.name":"UPPER"})")), "org.opencontainers.image.ref.name");
  refused("bad-layout.tar", {{"oci-layout", R"({"imageLayoutVersion":"2.0.0"})"}, {"index.json", f.index()}}, "imageLayoutVersion");
  refused("not-array.tar", {{"manifest.json", "{}"}}, "not a JSON array");
  refused("empty-index.tar", {{"oci-layout", R"({"imageLayoutVersion":"1.0.0"})"}, {"index.json", R"({"schemaVersion":2,"manifests":[]})"}},
          "holds no image");
  std::ofstream(t.path / "empty") << "";
  EXPECT_NE(open_error(t.path / "empty", t.path / "tmp").find("empty file"), std::string::npos);
  EXPECT_THROW(ArchiveSource::open(t.path / "missing", t.path / "tmp"), Error);
}

TEST(ArchiveSource, NamesFromAnnotations) {
  using archive::names_from_annotations;
  EXPECT_EQ(names_from_annotations({}), std::vector<std::string>{});
  EXPECT_EQ(names_from_annotations({{"org.opencontainers.image.ref.name", "docker.io/test/img:1"}}),
            std::vector<std::string>{"docker.io/test/img:1"});
  EXPECT_EQ(names_from_annotations({{"org.opencontainers.image.ref.name", "t"}}), std::vector<std::string>{"localhost/t:latest"});
  EXPECT_EQ(names_from_annotations({{"org.opencontainers.image.ref.name", "user/app:2"}}),
            std::vector<std::string>{"localhost/user/app:2"});
  EXPECT_EQ(names_from_annotations({{"io.containerd.image.name", "busybox:1"}, {"org.opencontainers.image.ref.name", "1"}}),
            std::vector<std::string>{"docker.io/library/busybox:1"});
  EXPECT_THROW(names_from_annotations({{"org.opencontainers.image.ref.name", "a b"}}), Error);
}

TEST(Importer, DockerArchiveManifestDescribesTheMembers) {
  image::Descriptor plain{image::media_type::kOciLayer, image::sha256_of("a"), 1};
  image::Descriptor gz{image::media_type::kOciLayerGzip, image::sha256_of("b"), 2};
  std::string config = R"({"rootfs":{"type":"layers","diff_ids":[]}})";
  image::Manifest m = image::parse_manifest(archive::docker_archive_manifest(config, {plain, gz}));
  EXPECT_EQ(m.media_type, image::media_type::kOciManifest);
  EXPECT_EQ(m.config.media_type, image::media_type::kOciConfig);
  EXPECT_EQ(m.config.digest, image::sha256_of(config));
  EXPECT_EQ(m.config.size, int64_t(config.size()));
  ASSERT_EQ(m.layers.size(), 2u);
  EXPECT_EQ(m.layers[1].media_type, image::media_type::kOciLayerGzip);
  EXPECT_EQ(m.layers[1].digest, gz.digest);
  EXPECT_EQ(m.layers[1].size, 2);
}

// ---- the importer and the exporter over a real store in a temporary directory ----

namespace {

std::string tar_bytes(const std::function<void(tar::Writer&)>& fill) {
  std::string bytes;
  struct Sink : util::ByteSink {
    std::string& s;
    explicit Sink(std::string& s) : s(s) {}
    void write(const uint8_t* d, size_t n) override { s.append(reinterpret_cast<const char*>(d), n); }
    void finish() override {}
  } sink(bytes);
  tar::Writer w(sink);
  fill(w);
  w.finish();
  return bytes;
}

// Owned by the caller, so the layers apply as any user (squashed when not root).
tar::Entry owned(const std::string& path, tar::EntryType type, uint32_t mode) {
  tar::Entry e;
  e.path = path;
  e.type = type;
  e.mode = mode;
  e.uid = getuid();
  e.gid = getgid();
  e.mtime.tv_sec = 1700000000;
  return e;
}

// Two layers: a base with a file, and an upper layer with a hardlink to the base's file (resolved
// from the lower layer) and a new file.
struct TwoLayers {
  std::string base = tar_bytes([](tar::Writer& w) {
    w.begin(owned("etc", tar::EntryType::Directory, 0755));
    w.end();
    tar::Entry f = owned("etc/base.conf", tar::EntryType::Regular, 0644);
    std::string content(70000, 'b');
    f.size = int64_t(content.size());
    w.begin(f);
    w.data(reinterpret_cast<const uint8_t*>(content.data()), content.size());
    w.end();
  });
  std::string upper = tar_bytes([](tar::Writer& w) {
    w.begin(owned("etc", tar::EntryType::Directory, 0755));
    w.end();
    tar::Entry link = owned("etc/linked.conf", tar::EntryType::Hardlink, 0644);
    link.link_target = "etc/base.conf";
    w.begin(link);
    w.end();
    tar::Entry f = owned("etc/new", tar::EntryType::Regular, 0600);
    f.size = 4;
    w.begin(f);
    w.data(reinterpret_cast<const uint8_t*>("new\n"), 4);
    w.end();
  });
  std::string config(const std::string& second_diff_id = {}) const {
    return R"({"architecture":"amd64","os":"linux","created":"2026-01-02T03:04:05Z","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":[")" +
           sha(base) + R"(",")" + (second_diff_id.empty() ? sha(upper) : second_diff_id) + R"("]}})";
  }
  Members docker(const std::string& cfg, const std::string& upper_member) const {
    return {{"l1.tar", base},
            {"l2.tar", upper_member},
            {"c.json", cfg},
            {"manifest.json", R"([{"Config":"c.json","RepoTags":["example.com/two:1"],"Layers":["l1.tar","l2.tar"]}])"}};
  }
};

struct StoreFixture {
  TempDir t;
  store::Store store;
  StoreFixture() : store(store::Store::open(store::StorePaths{t.path / "data", t.path / "run"})) {}
  archive::ImportOptions options() const {
    archive::ImportOptions o;
    o.apply.squash_ids = getuid() != 0;
    return o;
  }
  fs::path tmp() const { return t.path / "tmp"; }
};

std::string gzip(const std::string& data) {
  TempDir t;
  std::ofstream(t.path / "x", std::ios::binary) << data;
  EXPECT_EQ(system(("gzip -n " + (t.path / "x").string()).c_str()), 0);
  std::ifstream in(t.path / "x.gz", std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

}  // namespace

TEST(Importer, DockerArchiveIntoTheStoreAndBackByteForByte) {
  StoreFixture s;
  TwoLayers l;
  write_tar(s.t.path / "d.tar", l.docker(l.config(), l.upper));
  ArchiveSource src = ArchiveSource::open(s.t.path / "d.tar", s.tmp());
  std::vector<std::string> progress;
  archive::ImportOptions o = s.options();
  o.progress = [&](const std::string& line) { progress.push_back(line); };
  std::vector<archive::ImportedImage> got = archive::import_images(s.store, src, o);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, image::sha256_of(l.config()));
  EXPECT_EQ(got[0].names, std::vector<std::string>{"example.com/two:1"});
  EXPECT_EQ(progress.front(), "Copying blob " + sha(l.base) + " done");

  std::optional<store::ImageRecord> rec = s.store.find_image("example.com/two:1");
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->layers, image::chain_ids({image::sha256_of(l.base), image::sha256_of(l.upper)}));
  // The manifest made for it: OCI, uncompressed layers whose blobs are the DiffIDs.
  image::Manifest m = image::parse_manifest(s.store.image_manifest(rec->id));
  EXPECT_EQ(rec->manifest_media_type, image::media_type::kOciManifest);
  ASSERT_EQ(m.layers.size(), 2u);
  EXPECT_EQ(m.layers[1].media_type, image::media_type::kOciLayer);
  EXPECT_EQ(m.layers[1].digest, image::sha256_of(l.upper));
  EXPECT_EQ(m.layers[1].size, int64_t(l.upper.size()));
  // The hardlink to the lower layer's file became a copy in the upper layer.
  struct stat st;
  ASSERT_EQ(::stat((s.store.layer_diff_path(rec->layers[1]) / "etc/linked.conf").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 70000);

  // Loading again stores nothing new.
  progress.clear();
  archive::import_images(s.store, src, o);
  EXPECT_EQ(progress.front(), "Copying blob " + sha(l.base) + " skipped: already exists");
  EXPECT_EQ(s.store.layers().size(), 2u);

  // Saved in each format and read back: the same config, layers byte for byte.
  for (const char* format : {"docker-archive", "oci-archive", "oci-dir"}) {
    SCOPED_TRACE(format);
    fs::path out = s.t.path / (std::string("out-") + format);
    archive::export_images(s.store, {{rec->id, {"example.com/two:1"}}}, archive::parse_save_format(format), out);
    ArchiveSource back = ArchiveSource::open(out, s.tmp());
    ASSERT_EQ(back.images().size(), 1u);
    const archive::SourceImage& img = back.images()[0];
    EXPECT_EQ(img.names, std::vector<std::string>{"example.com/two:1"});
    EXPECT_EQ(img.config, l.config());
    ASSERT_EQ(img.layers.size(), 2u);
    EXPECT_EQ(back.read(*img.layers[0].member, 1 << 20), l.base);
    EXPECT_EQ(back.read(*img.layers[1].member, 1 << 20), l.upper);
    if (img.layers[0].descriptor) {
      EXPECT_EQ(img.layers[0].descriptor->media_type, image::media_type::kOciLayer);
    }
  }
  // No temporary file or directory is left beside the outputs.
  for (const auto& e : fs::directory_iterator(s.t.path)) EXPECT_FALSE(e.path().filename().string().starts_with(".")) << e.path();
}

TEST(Importer, CompressedMembersKeepTheirBlobDigest) {
  StoreFixture s;
  TwoLayers l;
  std::string gz = gzip(l.upper);
  write_tar(s.t.path / "d.tar", l.docker(l.config(), gz));
  ArchiveSource src = ArchiveSource::open(s.t.path / "d.tar", s.tmp());
  archive::import_images(s.store, src, s.options());
  std::optional<store::ImageRecord> rec = s.store.find_image("example.com/two:1");
  ASSERT_TRUE(rec);
  image::Manifest m = image::parse_manifest(s.store.image_manifest(rec->id));
  EXPECT_EQ(m.layers[0].media_type, image::media_type::kOciLayer);
  EXPECT_EQ(m.layers[1].media_type, image::media_type::kOciLayerGzip);
  EXPECT_EQ(m.layers[1].digest, image::sha256_of(gz));
  EXPECT_EQ(m.layers[1].size, int64_t(gz.size()));
  EXPECT_EQ(s.store.layer(rec->layers[1])->compressed_digest, image::sha256_of(gz));
}

TEST(Importer, ABadLayerStoresNothingOfItsImage) {
  StoreFixture s;
  TwoLayers l;
  // The config promises another DiffID for the second layer: the first layer applies, the second
  // fails, and neither is committed.
  write_tar(s.t.path / "bad.tar", l.docker(l.config(sha("something else")), l.upper));
  ArchiveSource src = ArchiveSource::open(s.t.path / "bad.tar", s.tmp());
  try {
    archive::import_images(s.store, src, s.options());
    FAIL() << "a layer with the wrong DiffID was stored";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("manifest.json[0]"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(s.store.images().empty());
  EXPECT_TRUE(s.store.layers().empty());
  for (const auto& e : fs::directory_iterator(s.t.path / "data" / "storage" / "layers"))
    EXPECT_FALSE(fs::is_directory(e.path())) << "left behind: " << e.path();

  // Preflight refusals: more layers than DiffIDs, an unknown layer media type.
  Members extra = l.docker(l.config(), l.upper);
  extra[3].second = R"([{"Config":"c.json","RepoTags":[],"Layers":["l1.tar","l2.tar","l2.tar"]}])";
  write_tar(s.t.path / "extra.tar", extra);
  EXPECT_THROW(archive::import_images(s.store, ArchiveSource::open(s.t.path / "extra.tar", s.tmp()), s.options()), Error);
  Fixture f;
  Members odd = f.oci(f.index());
  std::string manifest = f.manifest;
  manifest.replace(manifest.find("layer.v1.tar"), 12, "layer.v1.tar+bzip2");
  odd[2] = {"blobs/sha256/" + hex(manifest), manifest};
  odd[1].second = R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + sha(manifest) +
                  R"(","size":)" + std::to_string(manifest.size()) + "}]}";
  write_tar(s.t.path / "odd.tar", odd);
  try {
    archive::import_images(s.store, ArchiveSource::open(s.t.path / "odd.tar", s.tmp()), s.options());
    FAIL() << "an unknown layer media type was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown layer media type"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(s.store.layers().empty());
}

TEST(Exporter, AChangedLayerFailsTheSaveAndLeavesNoFile) {
  StoreFixture s;
  TwoLayers l;
  write_tar(s.t.path / "d.tar", l.docker(l.config(), l.upper));
  archive::import_images(s.store, ArchiveSource::open(s.t.path / "d.tar", s.tmp()), s.options());
  std::optional<store::ImageRecord> rec = s.store.find_image("example.com/two:1");
  ASSERT_TRUE(rec);
  {
    std::ofstream f(s.store.layer_diff_path(rec->layers[1]) / "etc/new", std::ios::binary | std::ios::trunc);
    f << "NEW\n";  // same size, other bytes
  }
  for (const char* format : {"docker-archive", "oci-archive", "oci-dir"}) {
    SCOPED_TRACE(format);
    fs::path out = s.t.path / (std::string("out-") + format);
    try {
      archive::export_images(s.store, {{rec->id, {}}}, archive::parse_save_format(format), out);
      FAIL() << "a changed layer was saved";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("not its DiffID"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(out));
  }
  for (const auto& e : fs::directory_iterator(s.t.path)) EXPECT_FALSE(e.path().filename().string().starts_with(".")) << e.path();
  EXPECT_THROW(archive::parse_save_format("tar"), Error);
}
