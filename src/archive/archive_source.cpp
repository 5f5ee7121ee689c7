#include "archive/archive_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "image/reference.hpp"
#include "layer/decompress.hpp"
#include "tar/tar_reader.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace roost::archive {

namespace {

using nlohmann::json;

constexpr size_t kChunk = 1u << 20;
constexpr size_t kMaxDockerManifestBytes = 16u << 20;  // manifest.json lists every image of the archive
constexpr const char* kRefName = "org.opencontainers.image.ref.name";
constexpr const char* kContainerdName = "io.containerd.image.name";

// Archive paths compared as containers/image does: "./a//b" is "a/b"; ".." may not climb out.
std::optional<std::string> clean_path(const std::string& path) {
  std::vector<std::string> parts;
  for (const std::string& p : split(path, '/')) {
    if (p.empty() || p == ".") continue;
    if (p == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
      continue;
    }
    parts.push_back(p);
  }
  if (parts.empty()) return std::nullopt;
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

OuterCompression detect(const uint8_t* b, size_t n, const std::string& name) {
  if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return OuterCompression::Gzip;
  if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) return OuterCompression::Zstd;
  if (n >= 3 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h') throw Error(name + ": bzip2-compressed archives are not supported (gzip and zstd are)");
  if (n >= 6 && b[0] == 0xfd && b[1] == '7' && b[2] == 'z' && b[3] == 'X' && b[4] == 'Z' && b[5] == 0)
    throw Error(name + ": xz-compressed archives are not supported (gzip and zstd are)");
  return OuterCompression::None;
}

// Every byte to two sinks: the temporary copy and the tar indexer.
class TeeSink : public util::ByteSink {
 public:
  TeeSink(util::ByteSink& a, util::ByteSink& b) : a_(a), b_(b) {}
  void write(const uint8_t* d, size_t n) override {
    a_.write(d, n);
    b_.write(d, n);
  }
  void finish() override {
    a_.finish();
    b_.finish();
  }

 private:
  util::ByteSink &a_, &b_;
};

struct Indexed {
  tar::EntryType type = tar::EntryType::Regular;
  std::string link;
  int64_t offset = -1;
  int64_t size = 0;
};

// Records where each member's content starts. The position is counted from what the reader
// reports (raw bytes and content lengths, in stream order), not from when begin() is called.
class Indexer : public tar::EntrySink, public tar::RawObserver {
 public:
  std::map<std::string, Indexed> members;
  void begin(const tar::Entry& e) override {
    Indexed& m = members[key(e.path)];
    m.type = e.type;
    m.link = e.link_target;
    m.size = e.type == tar::EntryType::Regular ? e.size : 0;
  }
  void data(const uint8_t*, size_t) override {}
  void end() override {}
  void raw(const uint8_t*, size_t size) override { pos_ += int64_t(size); }
  void content(const tar::Entry& e, int64_t size) override {
    Indexed& m = members[key(e.path)];
    m.offset = pos_;
    m.size = size;
    pos_ += size;
  }

 private:
  // Stored as lookups clean their paths ("/a" and "a//b" as "a" and "a/b").
  static std::string key(const std::string& path) { return clean_path(path).value_or(path); }
  int64_t pos_ = 0;
};

UniqueFd temp_file(const std::filesystem::path& dir) {
  make_dirs(dir.string(), 0700);
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return UniqueFd(fd);
  // File systems without O_TMPFILE: a named file, unlinked at once.
  std::string tmpl = (dir / "load-XXXXXX").string();
  fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) throw_errno("create a temporary file in " + dir.string());
  ::unlink(tmpl.c_str());
  return UniqueFd(fd);
}

size_t read_some(int fd, uint8_t* buf, size_t n, const std::string& name) {
  while (true) {
    ssize_t r = ::read(fd, buf, n);
    if (r >= 0) return size_t(r);
    if (errno != EINTR) throw_errno("read " + name);
  }
}

void pread_all(int fd, uint8_t* buf, size_t n, int64_t offset, const std::string& name) {
  while (n > 0) {
    ssize_t r = ::pread(fd, buf, n, offset);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw_errno("read " + name);
    }
    if (r == 0) throw Error(name + ": unexpected end of file");
    buf += r;
    n -= size_t(r);
    offset += r;
  }
}

}  // namespace

const char* format_name(ArchiveFormat f) {
  switch (f) {
    case ArchiveFormat::OciArchive: return "oci-archive";
    case ArchiveFormat::DockerArchive: return "docker-archive";
    case ArchiveFormat::OciDir: return "oci-dir";
  }
  return "?";
}

std::vector<std::string> names_from_annotations(const std::map<std::string, std::string>& annotations) {
  if (auto it = annotations.find(kContainerdName); it != annotations.end()) {
    try {
      return {image::parse_reference(it->second).str()};
    } catch (const Error&) {
      // Not a reference: the OCI annotation below decides.
    }
  }
  auto it = annotations.find(kRefName);
  if (it == annotations.end() || it->second.empty()) return {};
  image::Reference r;
  try {
    r = image::parse_reference(it->second);
    if (!r.domain_given) r = image::parse_reference("localhost/" + it->second);
  } catch (const Error& e) {
    throw Error(std::string(kRefName) + " \"" + it->second + "\": " + e.what());
  }
  return {r.str()};
}

struct ArchiveSource::Impl {
  std::string name;
  ArchiveFormat format = ArchiveFormat::OciArchive;
  OuterCompression compression = OuterCompression::None;
  bool is_dir = false;
  UniqueFd fd;  // the tar (the input itself, or the temporary copy), or the directory
  int64_t file_size = 0;
  std::map<std::string, Indexed> members;
  std::vector<SourceImage> images;

  std::optional<Member> find(const std::string& path) const;
  std::string read(const Member& m, size_t cap) const;
  void copy(const Member& m, util::ByteSink& out) const;

  void index_tar(int in_fd, bool seekable, const std::filesystem::path& tmp_dir);
  void detect_format();
  void load_oci_layout();
  void load_docker_archive();
  std::string read_blob(const image::Descriptor& d, size_t cap, const std::string& where) const;
  void add_oci_image(const image::Descriptor& d, std::vector<std::string> names, const std::string& where);
};

std::optional<Member> ArchiveSource::Impl::find(const std::string& raw) const {
  std::optional<std::string> path = clean_path(raw);
  if (!path) return std::nullopt;
  if (is_dir) {
    struct stat st;
    if (::fstatat(fd.get(), path->c_str(), &st, 0) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    return Member{*path, 0, int64_t(st.st_size)};
  }
  auto it = members.find(*path);
  if (it == members.end()) return std::nullopt;
  const Indexed* m = &it->second;
  std::string at = *path;
  if (m->type == tar::EntryType::Symlink || m->type == tar::EntryType::Hardlink) {
    // One level, as containers/image follows: a symlink relative to its directory, a hardlink by
    // archive path.
    std::string target = m->link;
    if (m->type == tar::EntryType::Symlink && !target.starts_with("/")) {
      size_t slash = at.rfind('/');
      target = (slash == std::string::npos ? std::string() : at.substr(0, slash + 1)) + target;
    }
    std::optional<std::string> resolved = clean_path(target);
    if (!resolved) return std::nullopt;
    auto t = members.find(*resolved);
    if (t == members.end()) return std::nullopt;
    m = &t->second;
    at = *resolved;
  }
  if (m->type != tar::EntryType::Regular) return std::nullopt;
  return Member{at, m->offset < 0 ? 0 : m->offset, m->size};
}

void ArchiveSource::Impl::copy(const Member& m, util::ByteSink& out) const {
  UniqueFd own;
  int from = fd.get();
  int64_t base = m.offset;
  if (is_dir) {
    own = UniqueFd(::openat(fd.get(), m.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!own) throw_errno("open " + name + "/" + m.path);
    from = own.get();
    base = 0;
  }
  std::vector<uint8_t> buf(std::min<int64_t>(kChunk, std::max<int64_t>(m.size, 1)));
  for (int64_t done = 0; done < m.size;) {
    size_t n = size_t(std::min<int64_t>(int64_t(buf.size()), m.size - done));
    pread_all(from, buf.data(), n, base + done, name + ": " + m.path);
    out.write(buf.data(), n);
    done += int64_t(n);
  }
}

std::string ArchiveSource::Impl::read(const Member& m, size_t cap) const {
  if (m.size < 0 || uint64_t(m.size) > cap)
    throw Error(name + ": " + m.path + " is " + std::to_string(m.size) + " bytes, more than the limit of " + std::to_string(cap));
  util::StringSink sink(cap, name + ": " + m.path);
  copy(m, sink);
  return sink.take();
}

void ArchiveSource::Impl::index_tar(int in_fd, bool seekable, const std::filesystem::path& tmp_dir) {
  Indexer indexer;
  tar::Reader reader(indexer, &indexer);
  std::vector<uint8_t> buf(kChunk);
  size_t first = 0;
  // Enough of the start to see a magic number (a pipe may hand over a few bytes at a time).
  while (first < 8) {
    size_t n = read_some(in_fd, buf.data() + first, buf.size() - first, name);
    if (n == 0) break;
    first += n;
  }
  if (first == 0) throw Error(name + ": empty file, not an image archive");
  compression = detect(buf.data(), first, name);

  UniqueFd temp;
  std::unique_ptr<util::FdSink> temp_sink;
  std::unique_ptr<TeeSink> tee;
  std::unique_ptr<util::ByteSink> inflater;
  util::ByteSink* head = &reader;
  if (compression != OuterCompression::None || !seekable) {
    temp = temp_file(tmp_dir);
    temp_sink = std::make_unique<util::FdSink>(temp.get());
    tee = std::make_unique<TeeSink>(*temp_sink, reader);
    head = tee.get();
    if (compression != OuterCompression::None) {
      auto lc = compression == OuterCompression::Gzip ? image::LayerCompression::Gzip : image::LayerCompression::Zstd;
      inflater = layer::make_decompressor(lc, *tee);
      head = inflater.get();
    }
  }
  try {
    head->write(buf.data(), first);
    while (size_t n = read_some(in_fd, buf.data(), buf.size(), name)) head->write(buf.data(), n);
    head->finish();
  } catch (const SysError&) {
    throw;
  } catch (const Error& e) {
    throw Error(name + ": " + e.what());
  }
  members = std::move(indexer.members);
  if (temp) {
    fd = std::move(temp);
  } else if (fd.get() != in_fd) {
    fd = UniqueFd(::fcntl(in_fd, F_DUPFD_CLOEXEC, 0));
    if (!fd) throw_errno("dup " + name);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) throw_errno("stat " + name);
  file_size = st.st_size;
  for (const auto& [path, m] : members)
    if (m.type == tar::EntryType::Regular && m.size > 0 && (m.offset < 0 || m.offset + m.size > file_size))
      throw Error(name + ": member " + path + " lies outside the archive");
}

void ArchiveSource::Impl::detect_format() {
  bool layout = find("oci-layout") && find("index.json");
  if (is_dir) {
    if (!layout) throw Error(name + ": not an OCI image layout (no oci-layout and index.json)");
    format = ArchiveFormat::OciDir;
    load_oci_layout();
  } else if (layout) {
    format = ArchiveFormat::OciArchive;
    load_oci_layout();
  } else if (find("manifest.json")) {
    format = ArchiveFormat::DockerArchive;
    load_docker_archive();
  } else {
    throw Error(name + ": not an image archive (neither oci-layout with index.json nor manifest.json)");
  }
  if (images.empty()) throw Error(name + ": the archive holds no image");
}

std::string ArchiveSource::Impl::read_blob(const image::Descriptor& d, size_t cap, const std::string& where) const {
  std::optional<Member> m = find("blobs/" + d.digest.algorithm + "/" + d.digest.hex);
  if (!m) throw Error(name + ": " + where + ": blob " + d.digest.str() + " is not in the archive");
  if (m->size != d.size)
    throw Error(name + ": " + where + ": blob " + d.digest.str() + " is " + std::to_string(m->size) + " bytes, the descriptor says " + std::to_string(d.size));
  if (d.digest.algorithm != "sha256") throw Error(name + ": " + where + ": cannot check a " + d.digest.algorithm + " digest");
  std::string bytes = read(*m, cap);
  if (image::sha256_of(bytes) != d.digest)
    throw Error(name + ": " + where + ": blob " + d.digest.str() + " does not match its digest");
  return bytes;
}

void ArchiveSource::Impl::add_oci_image(const image::Descriptor& d, std::vector<std::string> names, const std::string& where) {
  // One manifest listed under several names (one index entry per name, as roost and skopeo write
  // them) is one image with all the names.
  for (SourceImage& seen : images)
    if (image::sha256_of(seen.manifest) == d.digest) {
      for (std::string& n : names)
        if (std::find(seen.names.begin(), seen.names.end(), n) == seen.names.end()) seen.names.push_back(std::move(n));
      return;
    }
  SourceImage img;
  img.where = where;
  img.names = std::move(names);
  img.manifest = read_blob(d, image::kMaxManifestBytes, where);
  image::Manifest m;
  try {
    m = image::parse_manifest(img.manifest, d.media_type);
  } catch (const Error& e) {
    throw Error(name + ": " + where + ": " + e.what());
  }
  img.manifest_media_type = m.media_type;
  img.config = read_blob(m.config, image::kMaxConfigBytes, where + " config");
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const image::Descriptor& l = m.layers[i];
    SourceLayer sl;
    sl.descriptor = l;
    sl.member = find("blobs/" + l.digest.algorithm + "/" + l.digest.hex);
    if (sl.member && sl.member->size != l.size)
      throw Error(name + ": " + where + " layers[" + std::to_string(i) + "]: blob " + l.digest.str() + " is " +
                  std::to_string(sl.member->size) + " bytes, the manifest says " + std::to_string(l.size));
    img.layers.push_back(std::move(sl));
  }
  images.push_back(std::move(img));
}

void ArchiveSource::Impl::load_oci_layout() {
  std::string layout_text = read(*find("oci-layout"), 64 << 10);
  json layout = json::parse(layout_text, nullptr, false);
  if (!layout.is_object() || !layout.contains("imageLayoutVersion") || !layout["imageLayoutVersion"].is_string())
    throw Error(name + ": oci-layout: no imageLayoutVersion");
  std::string version = layout["imageLayoutVersion"];
  if (!version.starts_with("1.")) throw Error(name + ": oci-layout: imageLayoutVersion " + version + " is not supported (1.x)");

  image::Index index;
  try {
    index = image::parse_index(read(*find("index.json"), image::kMaxManifestBytes));
  } catch (const SysError&) {
    throw;
  } catch (const Error& e) {
    throw Error(name + ": index.json: " + e.what());
  }
  const image::Platform host = image::host_platform();
  for (size_t i = 0; i < index.manifests.size(); ++i) {
    const image::Descriptor& d = index.manifests[i];
    std::string where = "index.json manifests[" + std::to_string(i) + "]";
    auto type = d.annotations.find("vnd.docker.reference.type");
    if (type != d.annotations.end() && type->second == "attestation-manifest") continue;
    std::vector<std::string> names;
    try {
      names = names_from_annotations(d.annotations);
    } catch (const Error& e) {
      throw Error(name + ": " + where + ": " + e.what());
    }
    if (d.media_type == image::media_type::kOciManifest || d.media_type == image::media_type::kDockerManifest) {
      add_oci_image(d, std::move(names), where);
    } else if (d.media_type == image::media_type::kOciIndex || d.media_type == image::media_type::kDockerList) {
      // A multi-platform image (Docker's containerd store saves one): this machine's platform.
      image::Index nested;
      try {
        nested = image::parse_index(read_blob(d, image::kMaxManifestBytes, where), d.media_type);
      } catch (const SysError&) {
        throw;
      } catch (const Error& e) {
        throw Error(std::string(e.what()).starts_with(name) ? e.what() : name + ": " + where + ": " + e.what());
      }
      const image::Descriptor* chosen = image::choose_platform(nested, host);
      if (chosen == nullptr) throw Error(name + ": " + where + ": no image for " + host.str() + " in its index");
      if (names.empty()) names = names_from_annotations(chosen->annotations);
      add_oci_image(*chosen, std::move(names), where + " (" + host.str() + ")");
    }
    // Any other media type (artifacts) is not an image to load: image-spec says not to fail on it.
  }
}

void ArchiveSource::Impl::load_docker_archive() {
  std::string text = read(*find("manifest.json"), kMaxDockerManifestBytes);
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_array()) throw Error(name + ": manifest.json is not a JSON array");
  for (size_t i = 0; i < doc.size(); ++i) {
    const json& e = doc[i];
    std::string where = "manifest.json[" + std::to_string(i) + "]";
    auto fail = [&](const std::string& why) { return Error(name + ": " + where + ": " + why); };
    if (!e.is_object()) throw fail("not an object");
    SourceImage img;
    img.where = where;
    auto config = e.find("Config");
    if (config == e.end() || !config->is_string()) throw fail("no Config");
    std::optional<Member> cm = find(config->get<std::string>());
    if (!cm) throw fail("config " + config->get<std::string>() + " is not in the archive");
    img.config = read(*cm, image::kMaxConfigBytes);
    if (auto tags = e.find("RepoTags"); tags != e.end() && !tags->is_null()) {
      if (!tags->is_array()) throw fail("RepoTags is not an array");
      for (const json& t : *tags) {
        if (!t.is_string()) throw fail("RepoTags holds a non-string");
        try {
          img.names.push_back(image::parse_reference(t.get<std::string>()).str());
        } catch (const Error& err) {
          throw fail("RepoTags \"" + t.get<std::string>() + "\": " + err.what());
        }
      }
    }
    auto layers = e.find("Layers");
    if (layers == e.end() || !layers->is_array()) throw fail("no Layers");
    for (const json& l : *layers) {
      if (!l.is_string()) throw fail("Layers holds a non-string");
      std::optional<Member> lm = find(l.get<std::string>());
      if (!lm) throw fail("layer " + l.get<std::string>() + " is not in the archive");
      SourceLayer sl;
      sl.member = lm;
      img.layers.push_back(std::move(sl));
    }
    images.push_back(std::move(img));
  }
}

ArchiveSource::ArchiveSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ArchiveSource::ArchiveSource(ArchiveSource&&) noexcept = default;
ArchiveSource::~ArchiveSource() = default;

ArchiveSource ArchiveSource::open(const std::filesystem::path& path, const std::filesystem::path& tmp_dir) {
  auto impl = std::make_unique<Impl>();
  impl->name = path.string();
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd) throw_errno("open " + path.string());
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) throw_errno("stat " + path.string());
  if (S_ISDIR(st.st_mode)) {
    impl->is_dir = true;
    impl->fd = std::move(fd);
  } else {
    impl->fd = std::move(fd);
    int in = impl->fd.get();
    impl->index_tar(in, S_ISREG(st.st_mode), tmp_dir);
  }
  impl->detect_format();
  return ArchiveSource(std::move(impl));
}

ArchiveSource ArchiveSource::open_fd(int fd, const std::string& name, const std::filesystem::path& tmp_dir) {
  auto impl = std::make_unique<Impl>();
  impl->name = name;
  struct stat st;
  if (::fstat(fd, &st) != 0) throw_errno("stat " + name);
  // A regular file could be read by offset, but its position may not be at 0: copy anyway when
  // the position is not the start.
  bool seekable = S_ISREG(st.st_mode) && ::lseek(fd, 0, SEEK_CUR) == 0;
  impl->index_tar(fd, seekable, tmp_dir);
  impl->detect_format();
  return ArchiveSource(std::move(impl));
}

ArchiveFormat ArchiveSource::format() const { return impl_->format; }
OuterCompression ArchiveSource::compression() const { return impl_->compression; }
const std::vector<SourceImage>& ArchiveSource::images() const { return impl_->images; }
const std::string& ArchiveSource::name() const { return impl_->name; }
void ArchiveSource::copy(const Member& m, util::ByteSink& out) const { impl_->copy(m, out); }
std::string ArchiveSource::read(const Member& m, size_t cap) const { return impl_->read(m, cap); }
std::optional<Member> ArchiveSource::find(const std::string& path) const { return impl_->find(path); }

std::string ArchiveSource::peek(const Member& m, size_t n) const {
  Member head = m;
  head.size = std::min<int64_t>(m.size, int64_t(n));
  return impl_->read(head, n);
}

}  // namespace roost::archive
