// roost cp (engine/container_cp.hpp): the path rules, the walk that reads a tree by directory fds,
// the writer that makes one beneath a directory fd, and the two ways into a container.
#include "engine/container_cp.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

#include "ctr/volume_store.hpp"
#include "engine/container_context.hpp"
#include "rootfs/secure_path.hpp"
#include "store/overlay_probe.hpp"
#include "store/rootfs_mount.hpp"
#include "store/store.hpp"
#include "store/userns_session.hpp"
#include "tar/tar_reader.hpp"
#include "tar/tar_writer.hpp"
#include "util/byte_sink.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"
#include "util/xattrs.hpp"

namespace roost::engine {
namespace {

namespace fs = std::filesystem;

bool ends_with_slash_dot(const std::string& p) { return p == "." || p.ends_with("/."); }

// ---- reading a tree: entries in tar's order, from directory fds, never following a symlink ----

tar::Entry entry_from_stat(const struct stat& st, const std::string& path) {
  tar::Entry e;
  e.path = path;
  e.mode = st.st_mode & 07777;
  e.uid = st.st_uid;
  e.gid = st.st_gid;
  e.mtime = st.st_mtim;
  if (S_ISDIR(st.st_mode)) e.type = tar::EntryType::Directory;
  else if (S_ISLNK(st.st_mode)) e.type = tar::EntryType::Symlink;
  else if (S_ISFIFO(st.st_mode)) e.type = tar::EntryType::Fifo;
  else if (S_ISCHR(st.st_mode)) e.type = tar::EntryType::CharDevice;
  else if (S_ISBLK(st.st_mode)) e.type = tar::EntryType::BlockDevice;
  else if (S_ISREG(st.st_mode)) e.type = tar::EntryType::Regular, e.size = st.st_size;
  else throw Error(path + ": a socket cannot be copied");
  if (e.type == tar::EntryType::CharDevice || e.type == tar::EntryType::BlockDevice) {
    e.dev_major = major(st.st_rdev);
    e.dev_minor = minor(st.st_rdev);
  }
  return e;
}

// The extended attributes a copy carries, as podman cp does: the user's own (user.*) and file
// capabilities (security.capability, which a chown or a write clears: set last). Not the
// security module's labels (security.selinux: the destination's own apply), trusted.* (the
// initial namespace's root only) or ACLs (their ids would need mapping).
bool carried_xattr(const std::string& name) { return name.starts_with("user.") || name == "security.capability"; }

void add_carried_xattrs(int fd, tar::Entry& e) {
  for (auto& [name, value] : read_xattrs(fd))
    if (carried_xattr(name)) e.xattrs.emplace_back(std::move(name), std::move(value));
}

// Files of the copy with more than one name, by (device, inode): the entry path of the first name
// met. Later names become hardlink entries to it, so the copy keeps them one file with several
// names (as `docker cp` and `podman cp` do, through tar), not several copies.
using HardlinkIndex = std::map<std::pair<dev_t, ino_t>, std::string>;

void emit_children(int dir_fd, const std::string& prefix, tar::EntrySink& sink, HardlinkIndex& links);

// The object `name` in parent_fd (not followed when a symlink), named entry_path.
void emit_tree(int parent_fd, const std::string& name, const std::string& entry_path, tar::EntrySink& sink,
               HardlinkIndex& links) {
  struct stat st;
  if (::fstatat(parent_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) throw_errno("stat " + entry_path);
  tar::Entry e = entry_from_stat(st, entry_path);
  if (e.type == tar::EntryType::Regular && st.st_nlink > 1) {
    const auto [first, inserted] = links.try_emplace({st.st_dev, st.st_ino}, entry_path);
    if (!inserted) {
      e.type = tar::EntryType::Hardlink;
      e.link_target = first->second;
      e.size = 0;
      sink.begin(e);
      sink.end();
      return;
    }
  }
  if (e.type == tar::EntryType::Symlink) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    const ssize_t n = ::readlinkat(parent_fd, name.c_str(), target.data(), target.size());
    if (n < 0) throw_errno("read the link " + entry_path);
    target.resize(static_cast<size_t>(n));
    e.link_target = target;
  }
  if (e.type == tar::EntryType::Directory) {
    UniqueFd dir(::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir) throw_errno("open the directory " + entry_path);
    add_carried_xattrs(dir.get(), e);
    sink.begin(e);
    sink.end();
    emit_children(dir.get(), entry_path, sink, links);
    return;
  }
  if (e.type != tar::EntryType::Regular) {
    sink.begin(e);
    sink.end();
    return;
  }
  UniqueFd file(::openat(parent_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!file) throw_errno("open " + entry_path);
  add_carried_xattrs(file.get(), e);
  sink.begin(e);
  // Exactly the size announced: a file that grows or shrinks meanwhile is cut or refused.
  int64_t left = e.size;
  uint8_t buf[65536];
  while (left > 0) {
    const ssize_t n = ::read(file.get(), buf, static_cast<size_t>(std::min<int64_t>(left, sizeof buf)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read " + entry_path);
    if (n == 0) throw Error(entry_path + " shrank while it was copied");
    sink.data(buf, static_cast<size_t>(n));
    left -= n;
  }
  sink.end();
}

void emit_children(int dir_fd, const std::string& prefix, tar::EntrySink& sink, HardlinkIndex& links) {
  const int dup_fd = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) throw_errno("dup a directory fd of " + prefix);
  DIR* dir = ::fdopendir(dup_fd);
  if (!dir) {
    ::close(dup_fd);
    throw_errno("list " + (prefix.empty() ? std::string(".") : prefix));
  }
  std::vector<std::string> names;
  while (const dirent* d = ::readdir(dir)) {
    const std::string n = d->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) emit_tree(dir_fd, n, prefix.empty() ? n : prefix + "/" + n, sink, links);
}

// A directory given as an fd (a source reached through a symlink or "dir/"), named entry_path.
void emit_dir_fd(int dir_fd, const std::string& entry_path, tar::EntrySink& sink, HardlinkIndex& links) {
  struct stat st;
  if (::fstat(dir_fd, &st) != 0) throw_errno("stat " + entry_path);
  tar::Entry e = entry_from_stat(st, entry_path);
  add_carried_xattrs(dir_fd, e);
  sink.begin(e);
  sink.end();
  emit_children(dir_fd, entry_path, sink, links);
}

// ---- writing a tree beneath a directory fd ----

// Makes the entries it is given beneath base_fd. Parents are resolved with RESOLVE_IN_ROOT at
// base_fd, names may not be "..": nothing is written outside it. Without keep_ids, what it makes
// belongs to this process (uid 0 of the namespace: the container's root, or the caller on the
// host side); with it, to the entry's ids.
class TreeWriter : public tar::EntrySink {
 public:
  TreeWriter(int base_fd, bool keep_ids) : base_(base_fd), keep_ids_(keep_ids) {}

  void begin(const tar::Entry& e) override {
    entry_ = e;
    std::string path = e.path;
    while (path.starts_with("/")) path.erase(0, 1);
    if (path.empty() || path == ".") {  // the base itself ("./" of a tar stream)
      if (e.type == tar::EntryType::Directory) dirs_.push_back({"", e});
      skip_ = true;
      return;
    }
    skip_ = false;
    for (const std::string& part : split(path, '/'))
      if (part == "..") throw Error("refused " + e.path + ": a name with \"..\"");
    const size_t slash = path.rfind('/');
    parent_ = slash == std::string::npos ? UniqueFd(::fcntl(base_, F_DUPFD_CLOEXEC, 0))
                                         : open_in_root(base_, path.substr(0, slash), O_PATH | O_DIRECTORY);
    if (!parent_) throw_errno("open the directory of " + e.path);
    name_ = slash == std::string::npos ? path : path.substr(slash + 1);
    path_ = path;

    struct stat st;
    const bool exists = ::fstatat(parent_.get(), name_.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (e.type == tar::EntryType::Directory) {
      if (exists && !S_ISDIR(st.st_mode)) remove_existing();
      if (!exists || !S_ISDIR(st.st_mode))
        if (::mkdirat(parent_.get(), name_.c_str(), 0700) != 0) throw_errno("make the directory " + e.path);
      dirs_.push_back({path, e});
      return;
    }
    if (exists && S_ISDIR(st.st_mode)) throw Error("cannot overwrite the directory " + e.path + " with a non-directory");
    if (exists) remove_existing();
    switch (e.type) {
      case tar::EntryType::Regular:
        file_.reset(::openat(parent_.get(), name_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!file_) throw_errno("create " + e.path);
        break;
      case tar::EntryType::Symlink:
        if (::symlinkat(e.link_target.c_str(), parent_.get(), name_.c_str()) != 0) throw_errno("make the link " + e.path);
        break;
      case tar::EntryType::Hardlink: {
        std::string target = e.link_target;
        while (target.starts_with("/")) target.erase(0, 1);
        const size_t s = target.rfind('/');
        UniqueFd target_dir = s == std::string::npos ? UniqueFd(::fcntl(base_, F_DUPFD_CLOEXEC, 0))
                                                     : open_in_root(base_, target.substr(0, s), O_PATH | O_DIRECTORY);
        const std::string target_name = s == std::string::npos ? target : target.substr(s + 1);
        if (!target_dir || target_name == ".." ||
            ::linkat(target_dir.get(), target_name.c_str(), parent_.get(), name_.c_str(), 0) != 0)
          throw_errno("link " + e.path + " to " + e.link_target);
        break;
      }
      case tar::EntryType::Fifo:
        if (::mkfifoat(parent_.get(), name_.c_str(), 0600) != 0) throw_errno("make the fifo " + e.path);
        break;
      case tar::EntryType::CharDevice:
      case tar::EntryType::BlockDevice: {
        const mode_t kind = e.type == tar::EntryType::CharDevice ? S_IFCHR : S_IFBLK;
        if (::mknodat(parent_.get(), name_.c_str(), kind | 0600, makedev(e.dev_major, e.dev_minor)) != 0)
          throw_errno("make the device " + e.path + " (a user namespace may not)");
        break;
      }
      case tar::EntryType::Directory:
        break;
    }
  }

  void data(const uint8_t* bytes, size_t size) override {
    if (skip_ || !file_) return;
    while (size > 0) {
      const ssize_t n = ::write(file_.get(), bytes, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("write " + entry_.path);
      bytes += n;
      size -= static_cast<size_t>(n);
    }
  }

  void end() override {
    if (skip_ || entry_.type == tar::EntryType::Directory) return;
    if (entry_.type == tar::EntryType::Hardlink) return;  // shares its target's attributes
    if (file_) {
      apply_fd_attrs(file_.get(), entry_);
      file_.reset();
      return;
    }
    // A link, fifo or device: by name, the link itself (never its target).
    if (keep_ids_ && ::fchownat(parent_.get(), name_.c_str(), entry_.uid, entry_.gid, AT_SYMLINK_NOFOLLOW) != 0)
      throw_errno("chown " + entry_.path);
    if (entry_.type != tar::EntryType::Symlink && ::fchmodat(parent_.get(), name_.c_str(), entry_.mode, 0) != 0)
      throw_errno("chmod " + entry_.path);
    const timespec times[2] = {entry_.mtime, entry_.mtime};
    ::utimensat(parent_.get(), name_.c_str(), times, AT_SYMLINK_NOFOLLOW);  // best effort, as tar's
  }

  // Directories last, deepest first: writing into one changes its mtime, and a read-only mode
  // would have stopped what went in.
  void finish() {
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
      UniqueFd dir = it->first.empty() ? UniqueFd(::fcntl(base_, F_DUPFD_CLOEXEC, 0))
                                       : open_in_root(base_, it->first, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      if (!dir) throw_errno("open the directory " + it->second.path);
      apply_fd_attrs(dir.get(), it->second);
    }
  }

 private:
  void apply_fd_attrs(int fd, const tar::Entry& e) {
    // After the chown (which clears file capabilities), before the mode (which may take away
    // the write permission that user.* needs).
    if (keep_ids_ && ::fchown(fd, e.uid, e.gid) != 0) throw_errno("chown " + e.path + " (-a)");
    for (const auto& [name, value] : e.xattrs)
      if (carried_xattr(name)) set_xattr(fd, e.path, name, value);
    if (::fchmod(fd, e.mode) != 0) throw_errno("chmod " + e.path);
    const timespec times[2] = {e.mtime, e.mtime};
    if (::futimens(fd, times) != 0) throw_errno("set the times of " + e.path);
  }

  // A destination that cannot hold one (a file system without user xattrs; file capabilities
  // outside a user namespace the caller owns) loses it with one warning per name, as GNU tar
  // --xattrs does: the files themselves are what was asked for.
  void set_xattr(int fd, const std::string& path, const std::string& name, const std::string& value) {
    if (::fsetxattr(fd, name.c_str(), value.data(), value.size(), 0) == 0) return;
    if (errno != EPERM && errno != ENOTSUP) throw_errno("set the extended attribute " + name + " of " + path);
    if (warned_.insert(name).second)
      log::warn("extended attribute " + name + " not kept (" + std::strerror(errno) + "), first on " + path);
  }

  void remove_existing() {
    if (::unlinkat(parent_.get(), name_.c_str(), 0) != 0 && errno != ENOENT) throw_errno("replace " + entry_.path);
  }

  int base_;
  bool keep_ids_;
  bool skip_ = false;
  tar::Entry entry_;
  UniqueFd parent_, file_;
  std::string name_, path_;
  std::vector<std::pair<std::string, tar::Entry>> dirs_;
  std::set<std::string> warned_;  // xattr names already warned about
};

// Entries into a tar stream (cp CTR:PATH -).
class TarOut : public tar::EntrySink {
 public:
  explicit TarOut(tar::Writer& writer) : writer_(writer) {}
  void begin(const tar::Entry& e) override { writer_.begin(e); }
  void data(const uint8_t* bytes, size_t size) override { writer_.data(bytes, size); }
  void end() override { writer_.end(); }

 private:
  tar::Writer& writer_;
};

// ---- the two sides ----

// A source opened: the object `name` in `fd`, or, with name "", the directory `fd` itself.
struct OpenSource {
  UniqueFd fd;
  std::string name;
  FileKind kind = FileKind::Missing;
  bool content_only = false;  // "dir/.": the directory's content
};

FileKind kind_of(const struct stat& st) { return S_ISDIR(st.st_mode) ? FileKind::Directory : FileKind::Other; }

std::string no_such(const std::string& path, const std::string& where) {
  return "\"" + path + "\" could not be found " + where + ": no such file or directory";
}

// The source in `root` (a container: confined) or on the host (root -1: the caller's own paths,
// symlinks followed on the way but never the last component unless the path ends in "/" or "/.").
OpenSource open_source(int root, const std::string& path, const std::string& where) {
  OpenSource out;
  auto open_path = [&](const std::string& p, int flags) {
    return root >= 0 ? open_in_root(root, p, flags) : UniqueFd(::open(p.c_str(), flags | O_CLOEXEC));
  };
  std::string p = path;
  if (ends_with_slash_dot(p)) out.content_only = true;
  if (out.content_only || p.ends_with("/")) {
    out.fd = open_path(p, O_RDONLY | O_DIRECTORY);
    if (!out.fd) {
      if (errno == ENOENT) throw Error(no_such(path, where));
      if (errno == ENOTDIR) throw Error("\"" + path + "\" is not a directory " + where + ": not a directory");
      throw_errno("open " + path + " " + where);
    }
    out.kind = FileKind::Directory;
    return out;
  }
  out.fd = open_path(cp_dirname(p), O_PATH | O_DIRECTORY);
  if (!out.fd) {
    if (errno == ENOENT || errno == ENOTDIR) throw Error(no_such(path, where));
    throw_errno("open the directory of " + path + " " + where);
  }
  out.name = cp_basename(p);
  if (out.name == "/") {  // the root itself
    out.fd = open_path("/", O_RDONLY | O_DIRECTORY);
    out.name.clear();
    out.kind = FileKind::Directory;
    return out;
  }
  struct stat st;
  if (::fstatat(out.fd.get(), out.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) throw Error(no_such(path, where));
    throw_errno("stat " + path + " " + where);
  }
  out.kind = kind_of(st);
  return out;
}

// The destination: what is at the path (followed, confined when in a container) and, opened,
// the directory itself when it is one, else its parent (nullopt-like invalid fd when missing).
struct OpenDest {
  FileKind kind = FileKind::Missing;
  UniqueFd dir;     // the destination, when a directory
  UniqueFd parent;  // its parent directory, when it exists
};

OpenDest open_dest(int root, const std::string& path) {
  auto open_path = [&](const std::string& p, int flags) {
    return root >= 0 ? open_in_root(root, p, flags) : UniqueFd(::open(p.c_str(), flags | O_CLOEXEC));
  };
  OpenDest out;
  UniqueFd any = open_path(path, O_PATH);
  if (any) {
    struct stat st;
    if (::fstat(any.get(), &st) != 0) throw_errno("stat " + path);
    out.kind = kind_of(st);
    if (out.kind == FileKind::Directory) out.dir = open_path(path, O_RDONLY | O_DIRECTORY);
  } else if (errno != ENOENT && errno != ENOTDIR) {
    throw_errno("open " + path);
  }
  out.parent = open_path(cp_dirname(path), O_PATH | O_DIRECTORY);
  return out;
}

// The fd of the directory the plan copies into: the destination itself or its parent.
int plan_dir_fd(const CpPlan& plan, const std::string& dst_path, const OpenDest& dest, const std::string& where) {
  const int fd = plan.dest_name.empty() || (dest.kind == FileKind::Directory && plan.dest_dir == dst_path)
                     ? dest.dir.get()
                     : dest.parent.get();
  if (fd < 0) throw Error(no_such(plan.dest_dir, where));
  return fd;
}

void copy_source(const OpenSource& src, const std::string& entry_name, tar::EntrySink& sink) {
  HardlinkIndex links;
  if (entry_name.empty()) {
    emit_children(src.fd.get(), "", sink, links);
  } else if (src.name.empty()) {
    emit_dir_fd(src.fd.get(), entry_name, sink, links);
  } else {
    emit_tree(src.fd.get(), src.name, entry_name, sink, links);
  }
}

// The init's pid when the container runs (as its monitor's and init's liveness say), else 0.
int running_init(const ctr::ContainerStore& containers, const std::string& id) {
  const ctr::ContainerState state = current_state(containers, id);
  return is_active(state.status) ? state.pid : 0;
}

}  // namespace

// ---- the pure parts ----

CpLocation parse_cp_location(const std::string& arg) {
  CpLocation out;
  if (arg == "-") {
    out.stream = true;
    return out;
  }
  const size_t colon = arg.find(':');
  if (arg.starts_with("/") || arg.starts_with(".") || colon == std::string::npos) {
    out.path = arg;
    return out;
  }
  out.container = arg.substr(0, colon);
  out.path = arg.substr(colon + 1);
  if (out.container.empty()) throw Error("\"" + arg + "\": a container's name is missing before \":\"");
  if (out.path.empty()) throw Error("\"" + arg + "\": a path is missing after \":\"");
  return out;
}

std::string cp_basename(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.ends_with("/")) p.pop_back();
  if (p == "/") return "/";
  const size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string cp_dirname(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.ends_with("/")) p.pop_back();
  const size_t slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return p.substr(0, slash);
}

CpPlan plan_copy(const std::string& src_path, FileKind src_kind, const std::string& dst_path, FileKind dst_kind) {
  if (src_kind == FileKind::Missing) throw Error(no_such(src_path, "(source)"));
  const bool src_as_dir = src_path.ends_with("/") || ends_with_slash_dot(src_path);
  if (src_kind != FileKind::Directory && src_as_dir)
    throw Error("\"" + src_path + "\" is not a directory: not a directory");
  const bool src_content = ends_with_slash_dot(src_path);
  std::string src_name = src_content ? cp_basename(cp_dirname(src_path)) : cp_basename(src_path);
  if (src_name == "/" || src_name == ".") src_name.clear();

  if (src_kind == FileKind::Directory) {
    if (dst_kind == FileKind::Other)
      throw Error("cannot copy directory \"" + src_path + "\" onto file \"" + dst_path + "\": not a directory");
    if (dst_kind == FileKind::Missing) return {cp_dirname(dst_path), cp_basename(dst_path)};
    if (src_content || src_name.empty()) return {dst_path, ""};
    return {dst_path, src_name};
  }
  // A file (or link, fifo, device).
  if (dst_kind == FileKind::Directory) return {dst_path, src_name};
  if (dst_path.ends_with("/"))
    throw Error("\"" + dst_path + "\" could not be found: the destination directory must exist: no such file or directory");
  return {cp_dirname(dst_path), cp_basename(dst_path)};
}

// ---- a stopped container's rootfs ----

ContainerRootfsMount::ContainerRootfsMount(const ctr::ContainerStore& containers, const ctr::ContainerConfig& config) {
  store::StorePaths paths;
  paths.data_root = containers.data_root();
  paths.run_root = containers.run_root();
  const store::Store store = store::Store::open(paths);
  const std::optional<store::ImageRecord> image = store.find_image(config.image_id);
  if (!image) throw Error("the container's image " + config.image_name + " (" + config.image_id + ") is gone from the store");
  std::vector<fs::path> lowers;
  for (size_t i = image->layers.size(); i-- > 0;) lowers.push_back(store.layer_diff_path(image->layers[i]));
  const store::OverlayProbe probe = store::probe_overlay(paths, store::copy_driver_requested());
  if (probe.driver != store::OverlayDriver::KernelOverlay && probe.driver != store::OverlayDriver::FuseOverlayfs)
    throw Error(std::string("containers need overlayfs or fuse-overlayfs; the store uses ") +
                store::driver_name(probe.driver) + " (" + probe.detail + ")");
  const ctr::ContainerPaths cpaths = containers.paths(config.id);
  for (const fs::path& dir : {cpaths.run_dir, cpaths.rootfs(), cpaths.upper(), cpaths.work()})
    make_dirs(dir.string(), 0700);
  // A --rm container's work dir may hold the volatile marker of a start that failed after its
  // mount: mounted the same way (volatile), the marker is cleared first.
  store::mount_layers(lowers, cpaths.rootfs(), probe.driver,
                      store::UpperDirs{cpaths.upper(), cpaths.work(), config.auto_remove});
  target_ = cpaths.rootfs();
  try {
    // Its volumes and bind mounts, where the container sees them (podman's cp reaches them too).
    UniqueFd root(::open(target_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw_errno("open " + target_.string());
    ctr::VolumeStore volumes(containers.data_root());
    for (const ctr::MountRequest& m : config.mounts) {
      if (m.type != "volume" && m.type != "bind") continue;
      const std::string source = m.type == "volume" ? volumes.ensure(m.source).mountpoint : m.source;
      struct stat st;
      if (::stat(source.c_str(), &st) != 0) throw_errno("stat the mount source " + source);
      UniqueFd at = make_in_root(root.get(), m.destination, !S_ISDIR(st.st_mode));
      if (!at) throw_errno("make the mount point " + m.destination + " in the container");
      if (::mount(source.c_str(), fd_path(at.get()).c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
        throw_errno("bind " + source + " on " + m.destination + " in the container");
      binds_.push_back(target_ / m.destination.substr(m.destination.find_first_not_of('/')));
    }
  } catch (...) {
    undo();
    throw;
  }
}

ContainerRootfsMount::~ContainerRootfsMount() { undo(); }

void ContainerRootfsMount::undo() {
  for (auto it = binds_.rbegin(); it != binds_.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
  binds_.clear();
  if (target_.empty()) return;
  try {
    store::unmount_layers(target_);
  } catch (const Error&) {
    // Busy: the private mount namespace goes with this process anyway.
  }
  target_.clear();
}

// ---- cp ----

void copy_files(const ctr::ContainerStore& containers, const CpRequest& request) {
  const CpLocation src = parse_cp_location(request.source);
  const CpLocation dst = parse_cp_location(request.destination);
  if (src.container.empty() == dst.container.empty())
    throw Error(src.container.empty() ? "invalid arguments " + request.source + ", " + request.destination +
                                            ": one of them must be CONTAINER:PATH"
                                      : "copying between two containers is not supported");
  const bool copy_in = !dst.container.empty();
  const std::string& name = copy_in ? dst.container : src.container;
  const std::string id = require_container(containers, name);
  const std::string where = "on container " + name;

  // The host side first, with the caller's own rights.
  std::optional<OpenSource> host_src;
  std::optional<OpenDest> host_dst;
  if (copy_in && !src.stream) host_src = open_source(-1, src.path, "on the host");
  if (!copy_in && !dst.stream) host_dst = open_dest(-1, dst.path);

  // Then the container's root.
  UniqueFd lock;
  std::optional<ContainerRootfsMount> mounted;
  UniqueFd root;
  const int pid = running_init(containers, id);
  if (pid > 0) {
    join_user_namespace_of(pid);
    root.reset(::open(("/proc/" + std::to_string(pid) + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw_errno("open the container's root (/proc/" + std::to_string(pid) + "/root)");
  } else {
    store::enter_user_namespace();
    lock = containers.lock(id);  // no start while its files are mounted here
    if (running_init(containers, id) > 0) throw Error("container " + name + " started meanwhile: try again");
    mounted.emplace(containers, containers.config(id));
    root.reset(::open(mounted->target().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw_errno("open the container's root " + mounted->target().string());
  }

  if (copy_in) {
    if (dst.path.empty() || dst.path[0] != '/') throw Error("\"" + dst.path + "\": a container path must be absolute");
    OpenDest dest = open_dest(root.get(), dst.path);
    if (src.stream) {
      // A tar stream goes into an existing directory, as docker's and podman's `cp -`.
      if (dest.kind != FileKind::Directory) throw Error("\"" + dst.path + "\" must be a directory " + where + " to extract a tar stream into");
      TreeWriter writer(dest.dir.get(), request.archive);
      tar::Reader reader(writer);
      uint8_t buf[65536];
      for (;;) {
        const ssize_t n = ::read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("read the tar stream on stdin");
        if (n == 0) break;
        reader.write(buf, static_cast<size_t>(n));
      }
      reader.finish();
      writer.finish();
      return;
    }
    const CpPlan plan = plan_copy(src.path, host_src->kind, dst.path, dest.kind);
    TreeWriter writer(plan_dir_fd(plan, dst.path, dest, where), request.archive);
    copy_source(*host_src, plan.dest_name, writer);
    writer.finish();
    return;
  }

  if (src.path.empty() || src.path[0] != '/') throw Error("\"" + src.path + "\": a container path must be absolute");
  const OpenSource source = open_source(root.get(), src.path, where);
  if (dst.stream) {
    util::FdSink out(1);
    tar::Writer writer(out);
    TarOut sink(writer);
    std::string top = ends_with_slash_dot(src.path) ? "" : cp_basename(src.path);
    if (top == "/") top = "";
    copy_source(source, top, sink);
    writer.finish();
    return;
  }
  const CpPlan plan = plan_copy(src.path, source.kind, dst.path, host_dst->kind);
  TreeWriter writer(plan_dir_fd(plan, dst.path, *host_dst, "on the host"), request.archive);
  copy_source(source, plan.dest_name, writer);
  writer.finish();
}

}  // namespace roost::engine
