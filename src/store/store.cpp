#include "store/store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "store/file_lock.hpp"
#include "store/image_lookup.hpp"
#include "store/records.hpp"
#include "store/store_files.hpp"
#include "store/zstd_record.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/log.hpp"

namespace roost::store {
namespace fs = std::filesystem;

namespace {

constexpr size_t kTarSplitCap = size_t(1) << 30;  // a tar-split record is headers: 1 GiB is absurd

bool is_hex64(const std::string& s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The hex of a sha256 digest, which names a directory: anything else (a default-constructed
// Digest, another algorithm) is refused before it reaches a path.
const std::string& checked_hex(const image::Digest& d, const char* what) {
  if (d.algorithm != "sha256" || !is_hex64(d.hex))
    throw Error(std::string(what) + " \"" + d.str() + "\" is not a sha256 digest");
  return d.hex;
}

bool dir_exists_at(int dirfd, const std::string& name) {
  struct stat st;
  return ::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> list_dir(const fs::path& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) throw_errno("open directory " + dir.string());
  while (struct dirent* ent = ::readdir(d)) {
    std::string n = ent->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  ::closedir(d);
  return names;
}

std::string short_id(const image::Digest& d) { return d.hex.substr(0, 12); }

// True when the lock file at `path` exists and some process holds a lock on it.
bool lock_held(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return false;
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return false;
  return errno == EWOULDBLOCK;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// A layer being written.

struct LayerTransaction::Impl {
  fs::path layers_dir;
  std::string hex, partial_name;
  FileLock layer_lock, partial_lock;
  UniqueFd layers_fd, partial_fd, diff_fd, tar_split_fd;
  std::unique_ptr<util::FdSink> tar_split_file;
  std::unique_ptr<util::ByteSink> tar_split_zstd;
  bool committed = false;

  ~Impl() {
    if (committed || !layers_fd) return;
    diff_fd.reset();
    tar_split_fd.reset();
    partial_fd.reset();
    try {
      remove_tree_at(layers_fd.get(), partial_name, (layers_dir / partial_name).string());
      layer_lock.remove_and_release();  // no layer, no lock file left behind
    } catch (const Error& e) {
      // Left for Store::open (its locks go with this process, so it is seen as stale).
      log::warn(std::string("could not remove an unfinished layer: ") + e.what());
    }
  }
};

LayerTransaction::LayerTransaction(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LayerTransaction::LayerTransaction(LayerTransaction&&) noexcept = default;
LayerTransaction::~LayerTransaction() = default;

int LayerTransaction::diff_fd() const { return impl_->diff_fd.get(); }

util::ByteSink& LayerTransaction::tar_split() { return *impl_->tar_split_zstd; }

void LayerTransaction::commit(LayerRecord record) {
  Impl& t = *impl_;
  if (t.committed) throw Error("layer sha256:" + t.hex + " is committed already");
  if (record.chain_id.algorithm != "sha256" || record.chain_id.hex != t.hex)
    throw Error("layer record for " + record.chain_id.str() + " committed as layer sha256:" + t.hex);
  if (record.created.empty()) record.created = now_rfc3339();
  const std::string where = (t.layers_dir / t.partial_name).string();
  t.tar_split_zstd->finish();
  fsync_fd(t.tar_split_fd.get(), where + "/tar-split.zst");
  t.tar_split_fd.reset();
  write_file_durable(t.partial_fd.get(), t.partial_fd.get(), "layer.json", layer_record_json(record),
                     where + "/layer.json");
  fsync_fd(t.diff_fd.get(), where + "/diff");
  // The partial's own lock file does not go into the finished layer; the layer's lock (held)
  // keeps cleaners off meanwhile.
  t.partial_lock.remove_and_release();
  fsync_fd(t.partial_fd.get(), where);
  if (::renameat(t.layers_fd.get(), t.partial_name.c_str(), t.layers_fd.get(), t.hex.c_str()) < 0)
    throw_errno("rename " + where + " to " + (t.layers_dir / t.hex).string());
  t.committed = true;
  fsync_fd(t.layers_fd.get(), t.layers_dir.string());
  t.diff_fd.reset();
  t.partial_fd.reset();
  t.layer_lock.release();
}

// ---------------------------------------------------------------------------------------------
// The store.

struct Store::Impl {
  StorePaths paths;
  fs::path storage, layers_dir, images_dir;
  std::optional<FileLock> layers_in_use;  // shared, between this process's begin_layer and put_image

  FileLock lock_store() const { return FileLock::acquire(storage / "store.lock"); }

  fs::path layer_path(const std::string& hex) const { return layers_dir / hex; }

  // A record file's text, or nullopt when it is not there (not stored, or removed meanwhile).
  static std::optional<std::string> read_record(const fs::path& file) {
    try {
      return read_file(file.string());
    } catch (const SysError& e) {
      if (e.err() == ENOENT) return std::nullopt;
      throw;
    }
  }

  std::optional<LayerRecord> read_layer(const std::string& hex) const {
    const fs::path file = layer_path(hex) / "layer.json";
    std::optional<std::string> text = read_record(file);
    if (!text) return std::nullopt;
    return parse_layer_record(*text, file.string());
  }

  std::vector<std::string> layer_hexes() const {
    std::vector<std::string> out;
    UniqueFd fd = open_dir(layers_dir);
    for (auto& n : list_dir(layers_dir))
      if (is_hex64(n) && dir_exists_at(fd.get(), n)) out.push_back(std::move(n));
    std::sort(out.begin(), out.end());
    return out;
  }

  std::optional<ImageRecord> read_image(const std::string& hex) const {
    const fs::path file = images_dir / hex / "image.json";
    std::optional<std::string> text = read_record(file);
    if (!text) return std::nullopt;
    return parse_image_record(*text, file.string());
  }

  // Newest first (stored_at), so that if a kill ever left a name on two images, the image that
  // took it last is the one found by it.
  std::vector<ImageRecord> read_images() const {
    std::vector<ImageRecord> out;
    for (const auto& n : list_dir(images_dir))
      if (is_hex64(n))
        if (auto r = read_image(n)) out.push_back(std::move(*r));
    std::sort(out.begin(), out.end(), [](const ImageRecord& a, const ImageRecord& b) {
      return a.stored_at != b.stored_at ? a.stored_at > b.stored_at : a.id.hex < b.id.hex;
    });
    return out;
  }

  // Replaces images/<hex>/image.json (the image directory exists).
  void write_image_record(const ImageRecord& r) const {
    UniqueFd images_fd = open_dir(images_dir);
    UniqueFd dir = open_dir_at(images_fd.get(), r.id.hex, (images_dir / r.id.hex).string());
    write_file_durable(images_fd.get(), dir.get(), "image.json", image_record_json(r),
                       (images_dir / r.id.hex / "image.json").string());
  }

  // Takes `names` off every image but `keep`.
  void strip_names(const std::vector<ImageRecord>& images, const image::Digest& keep,
                   const std::vector<std::string>& names) const {
    for (const auto& other : images) {
      if (other.id == keep) continue;
      ImageRecord changed = other;
      std::erase_if(changed.names, [&](const std::string& n) {
        return std::find(names.begin(), names.end(), n) != names.end();
      });
      if (changed.names.size() != other.names.size()) write_image_record(changed);
    }
  }

  // Renames a directory out of its place (so it is gone at once for every reader) and removes it.
  void remove_dir(const fs::path& parent, const std::string& name, const std::string& removing_tag) const {
    UniqueFd fd = open_dir(parent);
    const std::string gone = ".removing-" + removing_tag + "-" + random_suffix();
    if (::renameat(fd.get(), name.c_str(), fd.get(), gone.c_str()) < 0) {
      if (errno == ENOENT) return;
      throw_errno("rename " + (parent / name).string() + " for removal");
    }
    fsync_fd(fd.get(), parent.string());
    remove_tree_at(fd.get(), gone, (parent / gone).string());
  }

  void remove_layer(const std::string& hex) const {
    remove_dir(layers_dir, hex, hex);
    // Its lock file goes too, unless a writer is making the layer again right now.
    if (auto lock = FileLock::try_acquire(layers_dir / (hex + ".lock"))) {
      if (!dir_exists_at(open_dir(layers_dir).get(), hex)) lock->remove_and_release();
    }
  }

  // Layer removal needs no pull or load under way in any process (see layers.lock); nullopt when
  // one is.
  std::optional<FileLock> lock_layers_for_removal() {
    layers_in_use.reset();  // our own shared hold would conflict with the exclusive one
    return FileLock::try_acquire(storage / "layers.lock", LockMode::Exclusive);
  }

  std::vector<image::Digest> remove_layers(const std::vector<std::string>& hexes) {
    std::vector<image::Digest> removed;
    if (hexes.empty()) return removed;
    auto lock = lock_layers_for_removal();
    if (!lock) {
      log::debug("a pull or load is under way: unused layers are left for a later prune");
      return removed;
    }
    for (const auto& hex : hexes) {
      remove_layer(hex);
      removed.push_back(image::Digest{"sha256", hex});
    }
    return removed;
  }

  void make_dirs_now() const {
    make_dirs(paths.data_root.string(), 0700);
    UniqueFd data = open_dir(paths.data_root);
    make_dir_at(data.get(), "storage", 0700, storage.string());
    UniqueFd st = open_dir(storage);
    make_dir_at(st.get(), "layers", 0700, layers_dir.string());
    make_dir_at(st.get(), "images", 0700, images_dir.string());
    make_dirs(paths.run_root.string(), 0700);
  }

  // What dead processes left: unfinished layers (their writer's lock is free), half-removed
  // layers and images, half-written images and records, a half-done reset (.removing-storage-*). Best effort: a
  // failure is a warning, never a reason `roost images` cannot run.
  void clean_leftovers() const {
    auto attempt = [](const fs::path& parent, const std::string& name) {
      try {
        UniqueFd fd = open_dir(parent);
        remove_tree_at(fd.get(), name, (parent / name).string());
      } catch (const Error& e) {
        log::warn(std::string("could not remove what an interrupted roost left: ") + e.what());
      }
    };
    std::vector<std::string> removing;  // need store.lock (a live remover holds it)
    for (const auto& n : list_dir(layers_dir)) {
      if (n.rfind(".partial-", 0) == 0) {
        const std::string hex = n.substr(9, 64);
        if (!is_hex64(hex) || lock_held(layers_dir / n / "lock")) continue;
        // The layer's own lock is the authority: its writer holds it from before the partial
        // directory exists until after it is renamed.
        auto writer = FileLock::try_acquire(layers_dir / (hex + ".lock"));
        if (!writer) continue;
        attempt(layers_dir, n);
        try {
          if (!dir_exists_at(open_dir(layers_dir).get(), hex)) writer->remove_and_release();
        } catch (const Error&) {
        }
      } else if (n.rfind(".removing-", 0) == 0) {
        removing.push_back((layers_dir / n).string());
      }
    }
    for (const auto& n : list_dir(images_dir))
      if (n.rfind(".partial-", 0) == 0 || n.rfind(".removing-", 0) == 0 || n.rfind(".tmp-", 0) == 0)
        removing.push_back((images_dir / n).string());
    // An overlay probe's scratch directory (store/overlay_probe), when no probe runs.
    std::vector<std::string> probes;
    for (const auto& n : list_dir(storage))
      if (n.rfind("overlay-probe-", 0) == 0) probes.push_back(n);
    if (!probes.empty())
      if (auto probing = FileLock::try_acquire(storage / "overlay-probe.lock"))
        for (const auto& n : probes) attempt(storage, n);
    for (const auto& n : list_dir(paths.data_root))
      if (n.rfind(".removing-storage-", 0) == 0) removing.push_back((paths.data_root / n).string());
    if (removing.empty()) return;
    auto lock = FileLock::try_acquire(storage / "store.lock");
    if (!lock) return;  // someone is changing the store: these may be theirs
    for (const auto& p : removing) {
      const fs::path path(p);
      attempt(path.parent_path(), path.filename().string());
    }
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Store Store::open(const StorePaths& paths) {
  auto impl = std::make_unique<Impl>();
  impl->paths = paths;
  impl->storage = paths.storage();
  impl->layers_dir = impl->storage / "layers";
  impl->images_dir = impl->storage / "images";
  impl->make_dirs_now();
  impl->clean_leftovers();
  return Store(std::move(impl));
}

const StorePaths& Store::paths() const { return impl_->paths; }

std::optional<LayerRecord> Store::layer(const image::Digest& chain_id) const {
  return impl_->read_layer(checked_hex(chain_id, "layer"));
}

std::vector<LayerRecord> Store::layers() const {
  std::vector<LayerRecord> out;
  for (const auto& hex : impl_->layer_hexes())
    if (auto r = impl_->read_layer(hex)) out.push_back(std::move(*r));
  return out;
}

std::optional<LayerTransaction> Store::begin_layer(const image::Digest& chain_id) {
  Impl& s = *impl_;
  const std::string hex = checked_hex(chain_id, "layer");
  if (!s.layers_in_use) s.layers_in_use = FileLock::acquire(s.storage / "layers.lock", LockMode::Shared);
  UniqueFd layers_fd = open_dir(s.layers_dir);
  if (dir_exists_at(layers_fd.get(), hex)) return std::nullopt;
  FileLock layer_lock = FileLock::acquire(s.layers_dir / (hex + ".lock"));
  if (dir_exists_at(layers_fd.get(), hex)) return std::nullopt;  // written while we waited

  // Holding the layer's lock, any partial directory of it is a dead writer's.
  const std::string prefix = ".partial-" + hex + "-";
  for (const auto& n : list_dir(s.layers_dir))
    if (n.rfind(prefix, 0) == 0) remove_tree_at(layers_fd.get(), n, (s.layers_dir / n).string());

  auto t = std::make_unique<LayerTransaction::Impl>();
  t->layers_dir = s.layers_dir;
  t->hex = hex;
  t->partial_name = prefix + random_suffix();
  const std::string where = (s.layers_dir / t->partial_name).string();
  if (::mkdirat(layers_fd.get(), t->partial_name.c_str(), 0700) < 0) throw_errno("mkdir " + where);
  t->layers_fd = std::move(layers_fd);  // from here on, the Impl's destructor removes the partial
  t->layer_lock = std::move(layer_lock);
  t->partial_fd = open_dir_at(t->layers_fd.get(), t->partial_name, where);
  t->partial_lock = FileLock::acquire(s.layers_dir / t->partial_name / "lock");
  if (::mkdirat(t->partial_fd.get(), "diff", 0755) < 0) throw_errno("mkdir " + where + "/diff");
  t->diff_fd = open_dir_at(t->partial_fd.get(), "diff", where + "/diff");
  t->tar_split_fd.reset(::openat(t->partial_fd.get(), "tar-split.zst",
                                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!t->tar_split_fd) throw_errno("create " + where + "/tar-split.zst");
  t->tar_split_file = std::make_unique<util::FdSink>(t->tar_split_fd.get());
  t->tar_split_zstd = make_zstd_record_writer(*t->tar_split_file);
  return LayerTransaction(std::move(t));
}

fs::path Store::layer_diff_path(const image::Digest& chain_id) const {
  return impl_->layer_path(checked_hex(chain_id, "layer")) / "diff";
}

UniqueFd Store::open_layer_diff(const image::Digest& chain_id) const {
  return open_dir(layer_diff_path(chain_id));
}

std::string Store::layer_tar_split(const image::Digest& chain_id) const {
  const fs::path file = impl_->layer_path(checked_hex(chain_id, "layer")) / "tar-split.zst";
  return zstd_inflate_all(read_file(file.string()), kTarSplitCap, file.string());
}

std::vector<ImageRecord> Store::images() const { return impl_->read_images(); }

std::optional<ImageRecord> Store::find_image(const std::string& text) const {
  auto all = impl_->read_images();
  if (auto i = lookup_image(all, text)) return std::move(all[*i]);
  return std::nullopt;
}

void Store::put_image(ImageRecord record, const std::string& manifest_bytes, const std::string& config_bytes) {
  Impl& s = *impl_;
  const std::string hex = checked_hex(record.id, "image ID");
  if (image::sha256_of(config_bytes) != record.id)
    throw Error("image " + record.id.str() + ": the config's digest is " + image::sha256_of(config_bytes).str());
  checked_hex(record.manifest_digest, "manifest digest");
  if (image::sha256_of(manifest_bytes) != record.manifest_digest)
    throw Error("image " + short_id(record.id) + ": the manifest's digest is " +
                image::sha256_of(manifest_bytes).str() + ", not " + record.manifest_digest.str());
  if (record.layers.empty()) throw Error("image " + short_id(record.id) + " has no layers");

  FileLock lock = s.lock_store();
  record.size = 0;
  for (size_t i = 0; i < record.layers.size(); ++i) {
    const auto& l = record.layers[i];
    auto layer = s.read_layer(checked_hex(l, "layer"));
    if (!layer)
      throw Error("image " + short_id(record.id) + ": layer " + l.str() +
                  " is not in the store (removed meanwhile by rmi or prune?): pull or load it again");
    // A stack is a chain: each layer sits on the one before it.
    const std::optional<image::Digest> below = i ? std::optional(record.layers[i - 1]) : std::nullopt;
    if (layer->parent != below)
      throw Error("image " + short_id(record.id) + ": layer " + l.str() + " is stored on " +
                  (layer->parent ? layer->parent->str() : "nothing") + ", not on " + (below ? below->str() : "nothing"));
    record.size += layer->allocated_bytes;
  }
  // Names: the given ones first (each once), then the image's earlier ones.
  std::vector<std::string> names;
  for (const auto& n : record.names)
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  const std::vector<std::string> moving = names;
  auto images = s.read_images();
  const ImageRecord* existing = nullptr;
  for (const auto& i : images)
    if (i.id == record.id) existing = &i;
  std::vector<std::string> digests;
  for (const auto& d : record.repo_digests)
    if (std::find(digests.begin(), digests.end(), d) == digests.end()) digests.push_back(d);
  if (existing) {
    for (const auto& n : existing->names)
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    for (const auto& d : existing->repo_digests)
      if (std::find(digests.begin(), digests.end(), d) == digests.end()) digests.push_back(d);
  }
  record.names = std::move(names);
  record.repo_digests = std::move(digests);
  record.stored_at = existing ? existing->stored_at : now_rfc3339();

  UniqueFd images_fd = open_dir(s.images_dir);
  const fs::path dir = s.images_dir / hex;
  if (existing) {
    UniqueFd fd = open_dir_at(images_fd.get(), hex, dir.string());
    write_file_durable(images_fd.get(), fd.get(), "manifest", manifest_bytes, (dir / "manifest").string());
    s.write_image_record(record);
  } else {
    const std::string partial = ".partial-" + hex + "-" + random_suffix();
    const fs::path pdir = s.images_dir / partial;
    if (::mkdirat(images_fd.get(), partial.c_str(), 0700) < 0) throw_errno("mkdir " + pdir.string());
    try {
      UniqueFd fd = open_dir_at(images_fd.get(), partial, pdir.string());
      write_file_durable(fd.get(), fd.get(), "manifest", manifest_bytes, (pdir / "manifest").string());
      write_file_durable(fd.get(), fd.get(), "config", config_bytes, (pdir / "config").string());
      write_file_durable(fd.get(), fd.get(), "image.json", image_record_json(record), (pdir / "image.json").string());
      if (::renameat(images_fd.get(), partial.c_str(), images_fd.get(), hex.c_str()) < 0)
        throw_errno("rename " + pdir.string() + " to " + dir.string());
    } catch (...) {
      remove_tree_at(images_fd.get(), partial, pdir.string());
      throw;
    }
    fsync_fd(images_fd.get(), s.images_dir.string());
  }
  s.strip_names(images, record.id, moving);
  s.layers_in_use.reset();  // this process's pull or load is done
}

std::string Store::image_manifest(const image::Digest& id) const {
  const fs::path file = impl_->images_dir / checked_hex(id, "image ID") / "manifest";
  return read_file(file.string());
}

std::string Store::image_config(const image::Digest& id) const {
  const fs::path file = impl_->images_dir / checked_hex(id, "image ID") / "config";
  return read_file(file.string());
}

void Store::tag(const image::Digest& id, const std::string& name) {
  Impl& s = *impl_;
  checked_hex(id, "image ID");
  if (name.empty()) throw Error("tag: empty name");
  FileLock lock = s.lock_store();
  auto images = s.read_images();
  auto it = std::find_if(images.begin(), images.end(), [&](const ImageRecord& r) { return r.id == id; });
  if (it == images.end()) throw Error("image " + id.str() + " is not in the store");
  if (std::find(it->names.begin(), it->names.end(), name) == it->names.end()) {
    ImageRecord changed = *it;
    changed.names.insert(changed.names.begin(), name);
    s.write_image_record(changed);
  }
  s.strip_names(images, id, {name});
}

bool Store::untag(const std::string& name) {
  Impl& s = *impl_;
  FileLock lock = s.lock_store();
  bool found = false;
  // Every image that has it (one, unless a kill mid-tag left it on two).
  for (auto r : s.read_images()) {
    const size_t before = r.names.size();
    std::erase(r.names, name);
    if (r.names.size() != before) {
      s.write_image_record(r);
      found = true;
    }
  }
  return found;
}

std::vector<image::Digest> Store::remove_image(const image::Digest& id) {
  Impl& s = *impl_;
  const std::string hex = checked_hex(id, "image ID");
  FileLock lock = s.lock_store();
  auto images = s.read_images();
  auto it = std::find_if(images.begin(), images.end(), [&](const ImageRecord& r) { return r.id == id; });
  if (it == images.end()) throw Error("image " + id.str() + " is not in the store");
  const ImageRecord gone = *it;
  images.erase(it);
  // The image first: a kill after this leaves unused layers (remove_unused_layers), never an
  // image without its layers.
  s.remove_dir(s.images_dir, hex, hex);
  std::set<std::string> used;
  for (const auto& r : images)
    for (const auto& l : r.layers) used.insert(l.hex);
  std::vector<std::string> unused;
  for (const auto& l : gone.layers)
    if (!used.count(l.hex) && std::find(unused.begin(), unused.end(), l.hex) == unused.end() &&
        dir_exists_at(open_dir(s.layers_dir).get(), l.hex))
      unused.push_back(l.hex);
  // Top layer first: a kill part-way leaves a chain whose base is still there.
  std::reverse(unused.begin(), unused.end());
  return s.remove_layers(unused);
}

std::vector<image::Digest> Store::remove_unused_layers() {
  Impl& s = *impl_;
  FileLock lock = s.lock_store();
  std::set<std::string> used;
  for (const auto& r : s.read_images())
    for (const auto& l : r.layers) used.insert(l.hex);
  std::vector<std::string> unused;
  for (const auto& hex : s.layer_hexes())
    if (!used.count(hex)) unused.push_back(hex);
  return s.remove_layers(unused);
}

Usage Store::usage() const {
  Usage u;
  const auto images = impl_->read_images();
  const auto layers = this->layers();
  std::set<std::string> used;
  for (const auto& r : images) {
    ++u.images;
    if (r.names.empty()) ++u.dangling_images;
    for (const auto& l : r.layers) used.insert(l.hex);
  }
  for (const auto& l : layers) {
    ++u.layers;
    u.layer_bytes += l.allocated_bytes;
    if (!used.count(l.chain_id.hex)) u.unused_layer_bytes += l.allocated_bytes;
  }
  // No container holds a layer yet: `prune -a` would remove every image, so every layer.
  u.reclaimable_bytes = u.layer_bytes;
  return u;
}

void Store::reset() {
  Impl& s = *impl_;
  s.layers_in_use.reset();
  {
    FileLock lock = s.lock_store();
    // Renamed away first, so no process sees half a store; the lock goes with it (file_lock's
    // inode check sends a waiter to the new one).
    s.remove_dir(s.paths.data_root, "storage", "storage");
  }
  if (dir_exists_at(AT_FDCWD, s.paths.run_root.string())) {
    UniqueFd run = open_dir(s.paths.run_root);
    for (const auto& n : list_dir(s.paths.run_root))
      remove_tree_at(run.get(), n, (s.paths.run_root / n).string());
  }
  s.make_dirs_now();
}

}  // namespace roost::store
