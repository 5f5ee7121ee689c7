#include "archive/exporter.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "image/image_config.hpp"
#include "image/manifest.hpp"
#include "image/reference.hpp"
#include "tar/tar_split.hpp"
#include "tar/tar_writer.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace roost::archive {

namespace {

using nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr size_t kChunk = 1u << 20;

// Batches the small writes of tar headers into 1 MiB writes.
class BufferedFdSink : public util::ByteSink {
 public:
  explicit BufferedFdSink(int fd) : fd_(fd) { buf_.reserve(kChunk); }
  void write(const uint8_t* d, size_t n) override {
    if (buf_.size() + n > kChunk) flush();
    if (n >= kChunk) {
      fd_.write(d, n);
      return;
    }
    buf_.insert(buf_.end(), d, d + n);
  }
  void finish() override { flush(); }

 private:
  void flush() {
    if (!buf_.empty()) fd_.write(buf_.data(), buf_.size());
    buf_.clear();
  }
  util::FdSink fd_;
  std::vector<uint8_t> buf_;
};

// Passes bytes on while hashing and counting them.
class HashingSink : public util::ByteSink {
 public:
  explicit HashingSink(util::ByteSink& out) : out_(out) {}
  void write(const uint8_t* d, size_t n) override {
    hash.update(d, n);
    bytes += int64_t(n);
    out_.write(d, n);
  }
  void finish() override {}
  image::Sha256 hash;
  int64_t bytes = 0;

 private:
  util::ByteSink& out_;
};

// A member's content into the outer tar writer.
class TarDataSink : public util::ByteSink {
 public:
  explicit TarDataSink(tar::Writer& w) : w_(w) {}
  void write(const uint8_t* d, size_t n) override { w_.data(d, n); }
  void finish() override {}

 private:
  tar::Writer& w_;
};

// Opens a member of a layer inside its diff directory and never outside it: no symlink on the
// way is followed (the applier wrote real directories), no magic link, no escape by "..".
UniqueFd open_in_layer(int diff_fd, const std::string& member_path) {
  std::string path = member_path;
  while (path.starts_with("./") || path.starts_with("/")) path.erase(0, path.starts_with("/") ? 1 : 2);
  struct open_how how = {};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS;
  int fd = int(::syscall(SYS_openat2, diff_fd, path.c_str(), &how, sizeof how));
  if (fd < 0) throw_errno("open " + path + " in the layer");
  return UniqueFd(fd);
}

void copy_exact(int fd, int64_t size, const std::string& path, util::ByteSink& out) {
  std::vector<uint8_t> buf(size_t(std::min<int64_t>(kChunk, std::max<int64_t>(size, 1))));
  int64_t done = 0;
  while (done < size) {
    size_t want = size_t(std::min<int64_t>(int64_t(buf.size()), size - done));
    ssize_t n = ::pread(fd, buf.data(), want, done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("read " + path + " in the layer");
    }
    if (n == 0) throw Error(path + " in the layer is shorter than its tar member (" + std::to_string(size) + " bytes)");
    out.write(buf.data(), size_t(n));
    done += n;
  }
}

// Where the members go: a tar stream or a directory. Each member's size is known up front (a tar
// header comes first).
class Layout {
 public:
  virtual ~Layout() = default;
  virtual void directory(const std::string& path) = 0;
  virtual void file(const std::string& path, int64_t size, const std::function<void(util::ByteSink&)>& fill) = 0;
  virtual void symlink(const std::string& path, const std::string& target) = 0;
  void file(const std::string& path, const std::string& content) {
    file(path, int64_t(content.size()), [&](util::ByteSink& out) {
      out.write(reinterpret_cast<const uint8_t*>(content.data()), content.size());
    });
  }
  virtual void finish() = 0;
};

class TarLayout : public Layout {
 public:
  explicit TarLayout(int fd) : sink_(fd), writer_(sink_) {}
  void directory(const std::string& path) override {
    tar::Entry e = entry(path, tar::EntryType::Directory, 0755);
    writer_.begin(e);
    writer_.end();
  }
  void file(const std::string& path, int64_t size, const std::function<void(util::ByteSink&)>& fill) override {
    tar::Entry e = entry(path, tar::EntryType::Regular, 0644);
    e.size = size;
    writer_.begin(e);
    TarDataSink data(writer_);
    fill(data);
    writer_.end();
  }
  void symlink(const std::string& path, const std::string& target) override {
    tar::Entry e = entry(path, tar::EntryType::Symlink, 0777);
    e.link_target = target;
    writer_.begin(e);
    writer_.end();
  }
  void finish() override { writer_.finish(); }

 private:
  // Owner 0:0 and mtime 0 as skopeo writes them: the same images make the same archive.
  static tar::Entry entry(const std::string& path, tar::EntryType type, uint32_t mode) {
    tar::Entry e;
    e.path = path;
    e.type = type;
    e.mode = mode;
    return e;
  }
  BufferedFdSink sink_;
  tar::Writer writer_;
};

class DirLayout : public Layout {
 public:
  explicit DirLayout(std::filesystem::path root) : root_(std::move(root)) {}
  void directory(const std::string& path) override { make_dirs((root_ / path).string()); }
  void file(const std::string& path, int64_t size, const std::function<void(util::ByteSink&)>& fill) override {
    std::filesystem::path p = root_ / path;
    make_dirs(p.parent_path().string());
    UniqueFd fd(::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) throw_errno("create " + p.string());
    BufferedFdSink out(fd.get());
    HashingSink count(out);
    fill(count);
    out.finish();
    if (count.bytes != size) throw Error(p.string() + ": wrote " + std::to_string(count.bytes) + " bytes, not " + std::to_string(size));
  }
  void symlink(const std::string& path, const std::string& target) override {
    std::filesystem::path p = root_ / path;
    make_dirs(p.parent_path().string());
    if (::symlink(target.c_str(), p.c_str()) != 0) throw_errno("symlink " + p.string());
  }
  void finish() override {}

 private:
  std::filesystem::path root_;
};

struct Loaded {
  const ExportImage* request = nullptr;
  std::string config;
  std::string manifest;  // as stored
  std::vector<store::LayerRecord> layers;
};

std::vector<Loaded> load_all(const store::Store& store, const std::vector<ExportImage>& images) {
  std::vector<Loaded> out;
  for (const ExportImage& req : images) {
    Loaded l;
    l.request = &req;
    l.config = store.image_config(req.id);
    l.manifest = store.image_manifest(req.id);
    image::ImageConfig cfg = image::parse_image_config(l.config);
    std::optional<store::ImageRecord> rec = store.find_image(req.id.str());
    if (!rec) throw Error("image " + req.id.str() + " is not in the store");
    if (rec->layers.size() != cfg.diff_ids.size())
      throw Error("image " + req.id.str() + ": " + std::to_string(rec->layers.size()) + " layers stored, the config lists " +
                  std::to_string(cfg.diff_ids.size()));
    for (size_t i = 0; i < rec->layers.size(); ++i) {
      std::optional<store::LayerRecord> layer = store.layer(rec->layers[i]);
      if (!layer) throw Error("image " + req.id.str() + ": layer " + rec->layers[i].str() + " is missing from the store");
      if (layer->diff_id != cfg.diff_ids[i])
        throw Error("image " + req.id.str() + ": layer " + rec->layers[i].str() + " has DiffID " + layer->diff_id.str() +
                    ", the config says " + cfg.diff_ids[i].str());
      l.layers.push_back(*layer);
    }
    out.push_back(std::move(l));
  }
  return out;
}

// Names with a tag (a digest-only name cannot be a RepoTag or an OCI ref.name).
std::vector<image::Reference> tagged_names(const ExportImage& img) {
  std::vector<image::Reference> out;
  for (const std::string& n : img.names) {
    image::Reference r = image::parse_reference(n);
    if (!r.tag.empty()) out.push_back(r);
  }
  return out;
}

void write_docker_archive(const store::Store& store, const std::vector<Loaded>& images, Layout& out) {
  json manifest = json::array();
  json repositories = json::object();
  std::set<std::string> written;
  for (const Loaded& img : images) {
    json layer_paths = json::array();
    for (const store::LayerRecord& l : img.layers) {
      std::string path = l.diff_id.hex + ".tar";
      if (written.insert(path).second)
        out.file(path, l.diff_size, [&](util::ByteSink& sink) { write_layer_tar(store, l, sink); });
      layer_paths.push_back(path);
    }
    const image::Digest config_digest = image::sha256_of(img.config);
    std::string config_path = config_digest.hex + ".json";
    if (written.insert(config_path).second) out.file(config_path, img.config);

    // The legacy per-layer directories older readers want; ids are ChainIDs, so a layer shared by
    // two images is one directory (the first image's metadata, as containers/image writes it).
    json config_doc = json::parse(img.config);
    std::string parent;
    for (size_t i = 0; i < img.layers.size(); ++i) {
      const store::LayerRecord& l = img.layers[i];
      std::string id = l.chain_id.hex;
      if (written.insert(id + "/").second) {
        json legacy = json::object();
        legacy["id"] = id;
        if (!parent.empty()) legacy["parent"] = parent;
        if (i + 1 == img.layers.size())
          for (const char* key : {"architecture", "config", "container", "container_config", "created", "docker_version", "os"})
            if (config_doc.contains(key)) legacy[key] = config_doc[key];
        out.file(id + "/VERSION", std::string("1.0"));
        out.file(id + "/json", legacy.dump());
        out.symlink(id + "/layer.tar", "../" + l.diff_id.hex + ".tar");
      }
      parent = id;
    }

    json repo_tags = json::array();
    for (const image::Reference& r : tagged_names(*img.request)) {
      repo_tags.push_back(r.name() + ":" + r.tag);
      if (!parent.empty()) repositories[r.name()][r.tag] = parent;
    }
    manifest.push_back({{"Config", config_path}, {"RepoTags", repo_tags}, {"Layers", layer_paths}});
  }
  out.file("manifest.json", manifest.dump());
  out.file("repositories", repositories.dump());
}

void write_oci_layout(const store::Store& store, const std::vector<Loaded>& images, Layout& out) {
  out.file("oci-layout", std::string(R"({"imageLayoutVersion":"1.0.0"})"));
  out.directory("blobs");
  out.directory("blobs/sha256");
  std::set<std::string> written;
  auto blob = [&](const image::Digest& d, const std::string& bytes) {
    if (written.insert(d.hex).second) out.file("blobs/sha256/" + d.hex, bytes);
  };
  image::Index index;
  index.media_type = image::media_type::kOciIndex;
  for (const Loaded& img : images) {
    image::Manifest m;
    m.media_type = image::media_type::kOciManifest;
    try {
      m.annotations = image::parse_manifest(img.manifest).annotations;
    } catch (const Error&) {
      // A stored manifest roost cannot read again has no annotations worth keeping.
    }
    m.config.media_type = image::media_type::kOciConfig;
    m.config.digest = image::sha256_of(img.config);
    m.config.size = int64_t(img.config.size());
    for (const store::LayerRecord& l : img.layers) {
      if (written.insert(l.diff_id.hex).second)
        out.file("blobs/sha256/" + l.diff_id.hex, l.diff_size, [&](util::ByteSink& sink) { write_layer_tar(store, l, sink); });
      image::Descriptor d;
      d.media_type = image::media_type::kOciLayer;
      d.digest = l.diff_id;
      d.size = l.diff_size;
      m.layers.push_back(d);
    }
    blob(m.config.digest, img.config);
    std::string manifest = image::manifest_json(m);
    image::Descriptor md;
    md.media_type = image::media_type::kOciManifest;
    md.digest = image::sha256_of(manifest);
    md.size = int64_t(manifest.size());
    blob(md.digest, manifest);
    std::vector<image::Reference> names = tagged_names(*img.request);
    if (names.empty()) index.manifests.push_back(md);
    for (const image::Reference& r : names) {
      image::Descriptor named = md;
      named.annotations["org.opencontainers.image.ref.name"] = r.name() + ":" + r.tag;
      index.manifests.push_back(named);
    }
  }
  out.file("index.json", image::index_json(index));
}

}  // namespace

SaveFormat parse_save_format(std::string_view text) {
  if (text == "docker-archive") return SaveFormat::DockerArchive;
  if (text == "oci-archive") return SaveFormat::OciArchive;
  if (text == "oci-dir") return SaveFormat::OciDir;
  throw Error("unknown format \"" + std::string(text) + "\": docker-archive, oci-archive or oci-dir");
}

void write_layer_tar(const store::Store& store, const store::LayerRecord& layer, util::ByteSink& out) {
  const std::string record = store.layer_tar_split(layer.chain_id);
  auto diff = store.open_layer_diff(layer.chain_id);
  const int diff_fd = diff.get();
  HashingSink hashed(out);
  tar::replay_tar_split(
      record,
      [&](const std::string& path, int64_t size, util::ByteSink& sink) {
        UniqueFd fd = open_in_layer(diff_fd, path);
        copy_exact(fd.get(), size, path, sink);
      },
      hashed);
  image::Digest got = hashed.hash.digest();
  if (got != layer.diff_id || hashed.bytes != layer.diff_size)
    throw Error("layer " + layer.chain_id.str() + ": the rebuilt tar is " + got.str() + " (" + std::to_string(hashed.bytes) +
                " bytes), not its DiffID " + layer.diff_id.str() + " (" + std::to_string(layer.diff_size) +
                " bytes): the layer's files changed in the store");
}

void export_images(const store::Store& store, const std::vector<ExportImage>& images, SaveFormat format,
                   const std::filesystem::path& out) {
  if (images.empty()) throw Error("save: no image given");
  std::vector<Loaded> loaded = load_all(store, images);
  std::filesystem::path parent = out.parent_path().empty() ? std::filesystem::path(".") : out.parent_path();

  if (format == SaveFormat::OciDir) {
    struct stat st;
    bool exists = ::lstat(out.c_str(), &st) == 0;
    if (exists && (!S_ISDIR(st.st_mode) || !std::filesystem::is_empty(out)))
      throw Error(out.string() + " exists and is not an empty directory");
    std::string tmpl = (parent / ("." + out.filename().string() + ".roost-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw_errno("create a directory beside " + out.string());
    try {
      DirLayout layout(tmpl);
      write_oci_layout(store, loaded, layout);
      if (exists && ::rmdir(out.c_str()) != 0) throw_errno("rmdir " + out.string());
      if (::rename(tmpl.c_str(), out.c_str()) != 0) throw_errno("rename to " + out.string());
    } catch (...) {
      remove_tree(tmpl);
      throw;
    }
    return;
  }

  struct stat st;
  if (::stat(out.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) throw Error(out.string() + " is a directory");
    // /dev/stdout, a pipe: written in place (nothing to rename).
    UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd) throw_errno("open " + out.string());
    TarLayout layout(fd.get());
    format == SaveFormat::DockerArchive ? write_docker_archive(store, loaded, layout) : write_oci_layout(store, loaded, layout);
    layout.finish();
    return;
  }
  std::string tmpl = (parent / ("." + out.filename().string() + ".roost-XXXXXX")).string();
  UniqueFd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
  if (!fd) throw_errno("create a file beside " + out.string());
  try {
    TarLayout layout(fd.get());
    format == SaveFormat::DockerArchive ? write_docker_archive(store, loaded, layout) : write_oci_layout(store, loaded, layout);
    layout.finish();
    if (::fchmod(fd.get(), 0644) != 0) throw_errno("chmod " + tmpl);
    if (::fsync(fd.get()) != 0) throw_errno("fsync " + tmpl);
    if (::rename(tmpl.c_str(), out.c_str()) != 0) throw_errno("rename to " + out.string());
  } catch (...) {
    ::unlink(tmpl.c_str());
    throw;
  }
}

}  // namespace roost::archive
