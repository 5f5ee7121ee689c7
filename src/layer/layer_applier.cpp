#include "layer/layer_applier.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "rootfs/secure_path.hpp"
#include "util/error.hpp"
#include "util/log.hpp"
#include "util/xattrs.hpp"

namespace roost::layer {

namespace {

constexpr const char* kWhiteoutPrefix = ".wh.";
constexpr const char* kOpaqueMarker = ".wh..wh..opq";
// aufs' own bookkeeping names (".wh..wh.plnk", ".wh..wh.aufs"): not content, skipped as Docker does.
constexpr const char* kWhiteoutMetaPrefix = ".wh..wh.";

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw Error("layer entry \"" + path + "\": " + why);
}

[[noreturn]] void fail_errno(const std::string& doing, const std::string& path) {
  throw SysError(doing + " " + path + " in the layer", errno);
}

bool is_whiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0); }

// What the layer may not carry into the store: SELinux labels (the host's policy decides),
// trusted.* (root-only, and overlayfs' own), any overlay xattr (a layer must not forge opaque dirs
// or redirects), and the rootlesscontainers ownership record (the uids in the tar are the truth).
bool dropped_xattr(const std::string& name) {
  return name == "security.selinux" || name.rfind("trusted.", 0) == 0 ||
         name.find(".overlay.") != std::string::npos || name == "user.rootlesscontainers";
}

// The confinement every walk of a layer uses: openat2 inside the root with no symlink at all (a
// layer's own symlinks are content, never a way to reach a place; no /proc magic link either).
UniqueFd open_confined(int root_fd, const std::string& rel, int flags) {
  return open_in_root_no_symlinks(root_fd, rel, flags | O_NOFOLLOW);
}

std::string join(const std::vector<std::string>& parts, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  return out;
}

void write_all(int fd, const uint8_t* data, size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("write", path);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

}  // namespace

std::vector<std::string> confined_parts(const std::string& archive_path, const char* what) {
  if (!archive_path.empty() && archive_path[0] == '/') refuse(archive_path, std::string("an absolute ") + what + ": refused");
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= archive_path.size()) {
    size_t slash = archive_path.find('/', start);
    if (slash == std::string::npos) slash = archive_path.size();
    std::string part = archive_path.substr(start, slash - start);
    if (part == "..") refuse(archive_path, std::string("\"..\" in the ") + what + ": refused");
    if (!part.empty() && part != ".") parts.push_back(std::move(part));
    start = slash + 1;
  }
  return parts;
}

LayerApplier::LayerApplier(int root_fd, const ApplyOptions& options, Stats& stats)
    : root_fd_(root_fd), options_(options), stats_(stats) {}

LayerApplier::~LayerApplier() = default;

const char* LayerApplier::opaque_xattr() const {
  return options_.real_root ? "trusted.overlay.opaque" : "user.overlay.opaque";
}

void LayerApplier::warn_once(const std::string& kind, const std::string& message) {
  if (!warned_.insert(kind).second) return;
  if (options_.warn)
    options_.warn(message);
  else
    log::warn(message);
}

void LayerApplier::forget_parent_cache() {
  cache_valid_ = false;
  cached_parent_fd_.reset();
}

int LayerApplier::parent_fd(const std::string& parent, const std::string& entry_path, bool create) {
  if (parent.empty()) return root_fd_;
  if (cache_valid_ && cached_parent_ == parent) return cached_parent_fd_.get();
  // One openat2 of the whole parent in the common case (it exists and is a plain directory).
  UniqueFd fd = open_confined(root_fd_, parent, O_PATH | O_DIRECTORY);
  if (!fd) {
    // Walk it one component at a time: says which component is in the way, and makes the missing
    // directories (tars need not list a file's parents before it).
    if (errno != ENOENT && errno != ELOOP && errno != ENOTDIR) fail_errno("open", parent);
    std::vector<std::string> parts = confined_parts(parent, "name");
    UniqueFd cur(::fcntl(root_fd_, F_DUPFD_CLOEXEC, 3));
    for (size_t i = 0; i < parts.size(); ++i) {
      const std::string so_far = join(parts, i + 1);
      UniqueFd next(::openat(cur.get(), parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      bool opaque = false;
      if (!next && errno == ENOTDIR && create) {
        // A whiteout of this name earlier in the layer, and now entries below it: the directory
        // is new in this layer and hides the lowers' one, as apply_directory makes it.
        struct stat st;
        if (::fstatat(cur.get(), parts[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && is_whiteout(st)) {
          remove_existing(cur.get(), parts[i], so_far);
          opaque = true;
          errno = ENOENT;
        } else {
          errno = ENOTDIR;
        }
      }
      if (!next && errno == ENOENT && create) {
        if (::mkdirat(cur.get(), parts[i].c_str(), 0755) != 0 && errno != EEXIST) fail_errno("mkdir", so_far);
        // 0755 whatever the umask, as Docker and containerd make a member's unlisted parents.
        if (::fchmodat(cur.get(), parts[i].c_str(), 0755, 0) != 0) fail_errno("chmod", so_far);
        count_created(cur.get(), parts[i].c_str());
        DirRecord& rec = dirs_[so_far];
        rec.depth = static_cast<int>(i + 1);
        rec.created = true;
        rec.counted = false;
        if (opaque) {
          UniqueFd dir(::openat(cur.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
          if (!dir) fail_errno("open", so_far);
          set_opaque(dir.get(), so_far);
        }
        next = UniqueFd(::openat(cur.get(), parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      }
      if (!next) {
        if (errno == ENOENT) return -1;  // only when !create: the caller decides
        if (errno == ENOTDIR || errno == ELOOP)
          refuse(entry_path, "\"" + so_far + "\" is not a directory in this layer (a symlink or a file): refused");
        fail_errno("open", so_far);
      }
      cur = std::move(next);
    }
    fd = std::move(cur);
  }
  cached_parent_ = parent;
  cached_parent_fd_ = std::move(fd);
  cache_valid_ = true;
  return cached_parent_fd_.get();
}

void LayerApplier::count_created(int dirfd, const char* name) {
  ++stats_.inodes;
  struct stat st;
  // Directories grow as entries land in them: theirs are counted at finish().
  if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
    stats_.allocated_bytes += static_cast<int64_t>(st.st_blocks) * 512;
}

void LayerApplier::remove_tree_at(int dirfd, const std::string& name, const std::string& path) {
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) fail_errno("open", path);
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    fail_errno("read directory", path);
  }
  std::vector<std::string> names;
  while (dirent* d = ::readdir(dir)) {
    if (std::strcmp(d->d_name, ".") != 0 && std::strcmp(d->d_name, "..") != 0) names.emplace_back(d->d_name);
  }
  try {
    for (const std::string& child : names) remove_existing(::dirfd(dir), child, path + "/" + child);
  } catch (...) {
    ::closedir(dir);
    throw;
  }
  ::closedir(dir);
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0) fail_errno("remove", path);
  --stats_.inodes;
}

void LayerApplier::remove_existing(int dirfd, const std::string& name, const std::string& path) {
  struct stat st;
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    fail_errno("stat", path);
  }
  if (S_ISDIR(st.st_mode)) {
    forget_parent_cache();  // the cached parent may be this directory or below it
    remove_tree_at(dirfd, name, path);
    return;
  }
  if (::unlinkat(dirfd, name.c_str(), 0) != 0) fail_errno("remove", path);
  if (st.st_nlink == 1) {
    --stats_.inodes;
    stats_.allocated_bytes -= static_cast<int64_t>(st.st_blocks) * 512;
    if (S_ISREG(st.st_mode)) stats_.apparent_bytes -= st.st_size;
  }
}

template <typename Create>
void LayerApplier::create_replacing(int dirfd, const std::string& name, const std::string& path, Create create) {
  if (create(dirfd, name.c_str()) == 0) return;
  if (errno != EEXIST) fail_errno("create", path);
  remove_existing(dirfd, name, path);
  if (create(dirfd, name.c_str()) != 0) fail_errno("create", path);
}

void LayerApplier::chown_at(int dirfd, const char* name, uint32_t uid, uint32_t gid, const std::string& path,
                            int flags) {
  if (options_.squash_ids) return;
  if (::fchownat(dirfd, name, uid, gid, flags) != 0) {
    throw SysError("chown " + path + " in the layer to " + std::to_string(uid) + ":" + std::to_string(gid) +
                       " (is the id mapped in this user namespace?)",
                   errno);
  }
}

void LayerApplier::set_xattr(int fd, const std::string& lpath, const std::string& name, const std::string& value,
                             const std::string& path) {
  int rc = fd >= 0 ? ::fsetxattr(fd, name.c_str(), value.data(), value.size(), 0)
                   : ::lsetxattr(lpath.c_str(), name.c_str(), value.data(), value.size(), 0);
  if (rc == 0) return;
  if (errno == EPERM || errno == ENOTSUP) {
    // In a user namespace security.capability cannot always be written (and some file systems
    // take no user.* xattrs, or none on symlinks and devices): the file is still usable.
    if (name == "security.capability")
      warn_once("security.capability", "file capabilities (security.capability) not kept: " + errno_name(errno) +
                                           " (first on " + path + ")");
    else
      warn_once("xattr " + name, "extended attribute " + name + " not kept: " + errno_name(errno) + " (first on " +
                                     path + ")");
    return;
  }
  throw SysError("set extended attribute " + name + " on " + path + " in the layer", errno);
}

void LayerApplier::set_xattrs(const tar::Entry& e, int fd, const std::string& lpath, const std::string& path) {
  for (const auto& [name, value] : e.xattrs) {
    if (!dropped_xattr(name)) set_xattr(fd, lpath, name, value, path);
  }
}

void LayerApplier::set_opaque(int dir_fd, const std::string& path) {
  if (::fsetxattr(dir_fd, opaque_xattr(), "y", 1, 0) != 0)
    throw SysError(std::string("mark ") + (path.empty() ? "/" : path) + " opaque (" + opaque_xattr() + ")", errno);
}

void LayerApplier::begin(const tar::Entry& e) {
  std::vector<std::string> parts = confined_parts(e.path, "name");
  const std::string path = join(parts, parts.size());
  const std::string name = parts.empty() ? std::string() : parts.back();
  const std::string parent = parts.empty() ? std::string() : join(parts, parts.size() - 1);

  // A later entry at a pending link's place replaces it, as it would had the link been made.
  if (!pending_.empty())
    std::erase_if(pending_, [&](const auto& link) { return link.first == path; });

  if (name.rfind(kWhiteoutPrefix, 0) == 0) {
    if (name == kOpaqueMarker) return apply_opaque(parent, e.path);
    if (name.rfind(kWhiteoutMetaPrefix, 0) == 0) return;
    const std::string hidden = name.substr(std::strlen(kWhiteoutPrefix));
    if (hidden.empty() || hidden == "." || hidden == "..") refuse(e.path, "a whiteout that names no file: refused");
    return apply_whiteout(e, parent, hidden, parent.empty() ? hidden : parent + "/" + hidden);
  }

  if (parts.empty()) {
    if (e.type != tar::EntryType::Directory) refuse(e.path, "the layer's root must be a directory");
    return apply_directory(e, path, parent, name, 0);
  }
  if (e.type == tar::EntryType::Directory)
    return apply_directory(e, path, parent, name, static_cast<int>(parts.size()));

  int dirfd = parent_fd(parent, e.path, true);
  const char* cname = name.c_str();
  switch (e.type) {
    case tar::EntryType::Regular: {
      create_replacing(dirfd, name, path, [&](int d, const char* n) {
        int fd = ::openat(d, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) return -1;
        file_.reset(fd);
        return 0;
      });
      file_path_ = path;
      file_entry_ = e;
      ++stats_.inodes;
      stats_.apparent_bytes += e.size;
      return;  // attributes at end(), after the content
    }
    case tar::EntryType::Hardlink:
      return apply_hardlink(e, path, dirfd, name);
    case tar::EntryType::Symlink:
      // Any target is allowed: it is content, read by the container, never followed here.
      create_replacing(dirfd, name, path,
                       [&](int d, const char* n) { return ::symlinkat(e.link_target.c_str(), d, n); });
      break;
    case tar::EntryType::Fifo:
      create_replacing(dirfd, name, path, [&](int d, const char* n) { return ::mknodat(d, n, S_IFIFO | 0600, 0); });
      break;
    case tar::EntryType::CharDevice:
    case tar::EntryType::BlockDevice: {
      const mode_t kind = e.type == tar::EntryType::CharDevice ? S_IFCHR : S_IFBLK;
      const dev_t dev = makedev(e.dev_major, e.dev_minor);
      bool skipped = false;
      create_replacing(dirfd, name, path, [&](int d, const char* n) {
        int rc = ::mknodat(d, n, kind | 0600, dev);
        if (rc != 0 && errno == EPERM) {
          skipped = true;
          return 0;
        }
        return rc;
      });
      if (skipped) {
        warn_once("devices", "device nodes skipped: rootless (first: " + path + ")");
        return;
      }
      break;
    }
    case tar::EntryType::Directory:
      break;  // handled above
  }
  count_created(dirfd, cname);
  chown_at(dirfd, cname, e.uid, e.gid, path, AT_SYMLINK_NOFOLLOW);
  if (e.type != tar::EntryType::Symlink) {
    // A node just made here by name in a confined directory (not a symlink: mknodat made it).
    if (::fchmodat(dirfd, cname, e.mode & 07777, 0) != 0) fail_errno("chmod", path);
  }
  // l*xattr by the name in the confined directory: symlinks and nodes have no fd to write through.
  if (!e.xattrs.empty()) set_xattrs(e, -1, fd_path(dirfd) + "/" + name, path);
  const timespec times[2] = {e.mtime, e.mtime};
  if (::utimensat(dirfd, cname, times, AT_SYMLINK_NOFOLLOW) != 0) fail_errno("set the mtime of", path);
}

void LayerApplier::data(const uint8_t* bytes, size_t size) {
  if (!file_) return;
  write_all(file_.get(), bytes, size, file_path_);
}

void LayerApplier::end() {
  if (!file_) return;
  const tar::Entry& e = file_entry_;
  const int fd = file_.get();
  // chown first: it clears setuid/setgid and file capabilities, which the mode and xattrs restore.
  if (!options_.squash_ids && ::fchown(fd, e.uid, e.gid) != 0)
    throw SysError("chown " + file_path_ + " in the layer to " + std::to_string(e.uid) + ":" + std::to_string(e.gid) +
                       " (is the id mapped in this user namespace?)",
                   errno);
  if (::fchmod(fd, e.mode & 07777) != 0) fail_errno("chmod", file_path_);
  set_xattrs(e, fd, std::string(), file_path_);
  const timespec times[2] = {e.mtime, e.mtime};
  if (::futimens(fd, times) != 0) fail_errno("set the mtime of", file_path_);
  struct stat st;
  if (::fstat(fd, &st) == 0) stats_.allocated_bytes += static_cast<int64_t>(st.st_blocks) * 512;
  file_.reset();
}

void LayerApplier::apply_directory(const tar::Entry& e, const std::string& path, const std::string& parent,
                                   const std::string& name, int depth) {
  int dirfd = root_fd_;
  const char* cname = ".";
  bool opaque = false;
  DirRecord& rec = dirs_[path];
  if (depth > 0) {
    dirfd = parent_fd(parent, e.path, true);
    cname = name.c_str();
    struct stat st;
    bool exists = ::fstatat(dirfd, cname, &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (!exists && errno != ENOENT) fail_errno("stat", path);
    if (exists && !S_ISDIR(st.st_mode)) {
      // A whiteout of this name earlier in the layer hid the lowers' directory: this one is new,
      // so the lowers' children must stay hidden (layer.md: a whiteout applies to the lowers).
      opaque = is_whiteout(st);
      remove_existing(dirfd, name, path);
      exists = false;
    }
    if (!exists) {
      // Owner rwx until finish(): entries still have to go in, whatever the final mode says.
      if (::mkdirat(dirfd, cname, 0700) != 0) fail_errno("mkdir", path);
      ++stats_.inodes;
      rec.created = true;
      rec.counted = false;
    }
  }
  rec.depth = depth;
  rec.has_attrs = true;
  rec.mode = e.mode & 07777;
  rec.mtime = e.mtime;
  chown_at(dirfd, depth > 0 ? cname : "", e.uid, e.gid, path, depth > 0 ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH);
  if (::fchmodat(dirfd, cname, rec.mode | S_IRWXU, 0) != 0) fail_errno("chmod", path);
  bool keeps = std::any_of(e.xattrs.begin(), e.xattrs.end(), [](const auto& x) { return !dropped_xattr(x.first); });
  if (keeps || opaque) {
    UniqueFd fd(::openat(dirfd, cname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) fail_errno("open", path);
    set_xattrs(e, fd.get(), std::string(), path);
    if (opaque) set_opaque(fd.get(), path);
  }
}

void LayerApplier::apply_opaque(const std::string& parent, const std::string& entry_path) {
  int pfd = parent_fd(parent, entry_path, true);
  UniqueFd fd(::openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) fail_errno("open", parent);
  set_opaque(fd.get(), parent);
}

void LayerApplier::apply_whiteout(const tar::Entry& e, const std::string& parent, const std::string& name,
                                  const std::string& path) {
  int dirfd = parent_fd(parent, e.path, true);
  struct stat st;
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    // The name is also in this layer (layer.md: a whiteout hides only the lowers). This layer's
    // file already shadows the lowers' one; this layer's directory must stop merging with theirs.
    if (S_ISDIR(st.st_mode)) {
      UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!fd) fail_errno("open", path);
      set_opaque(fd.get(), path);
    }
    return;
  }
  if (errno != ENOENT) fail_errno("stat", path);
  // The kernel's overlayfs and fuse-overlayfs both read a 0:0 character device as a whiteout; any
  // process may make one (Linux 5.8 and later), no CAP_MKNOD needed.
  if (::mknodat(dirfd, name.c_str(), S_IFCHR | 0600, makedev(0, 0)) != 0)
    fail_errno("make the whiteout (0:0 character device)", path);
  count_created(dirfd, name.c_str());
  chown_at(dirfd, name.c_str(), e.uid, e.gid, path, AT_SYMLINK_NOFOLLOW);
  if (::fchmodat(dirfd, name.c_str(), e.mode & 07777, 0) != 0) fail_errno("chmod", path);
  const timespec times[2] = {e.mtime, e.mtime};
  if (::utimensat(dirfd, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) fail_errno("set the mtime of", path);
}

void LayerApplier::apply_hardlink(const tar::Entry& e, const std::string& path, int dirfd, const std::string& name) {
  std::vector<std::string> target_parts = confined_parts(e.link_target, "hardlink target");
  if (target_parts.empty()) refuse(e.path, "a hardlink to the layer's root: refused");
  const std::string target = join(target_parts, target_parts.size());
  if (target == path) return;  // a link to itself: already the same file
  const std::string target_parent = join(target_parts, target_parts.size() - 1);
  // The link's own directory is open (dirfd); looking up the target's may replace it in the cache.
  UniqueFd own(::fcntl(dirfd, F_DUPFD_CLOEXEC, 3));
  int tdir = parent_fd(target_parent, e.path, false);
  struct stat st;
  if (tdir < 0 || ::fstatat(tdir, target_parts.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (tdir >= 0 && errno != ENOENT) fail_errno("stat", target);
    // Not in this layer: the target is in a lower one, copied once they are all complete.
    pending_.emplace_back(path, target);
    return;
  }
  if (is_whiteout(st)) refuse(e.path, "hardlink target \"" + target + "\" is whited out in this layer");
  if (S_ISDIR(st.st_mode)) refuse(e.path, "hardlink to the directory \"" + target + "\": refused");
  const std::string tname = target_parts.back();
  create_replacing(own.get(), name, path,
                   [&](int d, const char* n) { return ::linkat(tdir, tname.c_str(), d, n, 0); });
}

void LayerApplier::apply_dir_attrs(const std::set<std::string>* only) {
  std::vector<std::pair<std::string, DirRecord*>> order;
  for (auto& [path, rec] : dirs_) {
    if (only == nullptr || only->count(path) > 0) order.emplace_back(path, &rec);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.second->depth > b.second->depth; });
  for (auto& [path, rec] : order) {
    int dirfd = root_fd_;
    std::string name = ".";
    if (rec->depth > 0) {
      size_t slash = path.rfind('/');
      std::string parent = slash == std::string::npos ? std::string() : path.substr(0, slash);
      name = slash == std::string::npos ? path : path.substr(slash + 1);
      UniqueFd pfd = open_confined(root_fd_, parent, O_PATH | O_DIRECTORY);
      if (!pfd) continue;  // replaced later in the layer by something else
      forget_parent_cache();
      cached_parent_ = parent;
      cached_parent_fd_ = std::move(pfd);
      cache_valid_ = true;
      dirfd = cached_parent_fd_.get();
    }
    struct stat st;
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode)) continue;
    if (rec->created && !rec->counted) {
      stats_.allocated_bytes += static_cast<int64_t>(st.st_blocks) * 512;
      rec->counted = true;
    }
    if (!rec->has_attrs) continue;
    if ((st.st_mode & 07777) != rec->mode && ::fchmodat(dirfd, name.c_str(), rec->mode, 0) != 0)
      fail_errno("chmod", path);
    const timespec times[2] = {rec->mtime, rec->mtime};
    if (::utimensat(dirfd, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) fail_errno("set the mtime of", path);
  }
  forget_parent_cache();
}

void LayerApplier::finish() {
  if (file_) throw Error("layer entry \"" + file_path_ + "\": the tar ended inside it");
  apply_dir_attrs(nullptr);
}

namespace {

enum class Lookup { Found, Absent, Hidden };

// Looks `parts` up in one layer's diff dir as overlayfs would merge it: a whiteout on the way or
// at the end hides it (and everything below, in lower layers too), as does a non-directory on
// the way; an opaque directory on the way hides the lowers below it. On Found, *parent holds the
// target's directory.
Lookup look_up(int layer_fd, const std::vector<std::string>& parts, const char* opaque_xattr, UniqueFd* parent) {
  UniqueFd cur(::fcntl(layer_fd, F_DUPFD_CLOEXEC, 3));
  bool opaque = false;
  for (size_t i = 0; i < parts.size(); ++i) {
    struct stat st;
    if (::fstatat(cur.get(), parts[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return opaque ? Lookup::Hidden : Lookup::Absent;
      throw SysError("stat " + join(parts, i + 1) + " in a lower layer", errno);
    }
    if (is_whiteout(st)) return Lookup::Hidden;
    if (i + 1 == parts.size()) {
      if (S_ISDIR(st.st_mode)) return Lookup::Hidden;  // a directory is no hardlink target
      *parent = std::move(cur);
      return Lookup::Found;
    }
    if (!S_ISDIR(st.st_mode)) return Lookup::Hidden;
    UniqueFd next(::openat(cur.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next) throw SysError("open " + join(parts, i + 1) + " in a lower layer", errno);
    char value[4];
    ssize_t n = ::fgetxattr(next.get(), opaque_xattr, value, sizeof value);
    if (n == 1 && value[0] == 'y') opaque = true;
    cur = std::move(next);
  }
  return Lookup::Absent;
}

void copy_content(int in, int out, int64_t size, const std::string& path) {
  int64_t left = size;
  while (left > 0) {
    ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, static_cast<size_t>(left), 0);
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("copy into", path);
    }
    if (n == 0) throw Error("layer entry \"" + path + "\": its lower file shrank while copied");
    left -= n;
  }
  std::vector<uint8_t> buf(left > 0 ? 1 << 20 : 0);
  while (left > 0) {
    ssize_t n = ::read(in, buf.data(), std::min<int64_t>(left, static_cast<int64_t>(buf.size())));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("read the lower file for", path);
    }
    if (n == 0) throw Error("layer entry \"" + path + "\": its lower file shrank while copied");
    write_all(out, buf.data(), static_cast<size_t>(n), path);
    left -= n;
  }
}

}  // namespace

void LayerApplier::copy_from_lower(int src_parent, const std::string& src_name, const std::string& link_path) {
  std::vector<std::string> parts = confined_parts(link_path, "name");
  const std::string parent = join(parts, parts.size() - 1);
  int dirfd = parent_fd(parent, link_path, true);
  const std::string& name = parts.back();
  struct stat st;
  if (::fstatat(src_parent, src_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) fail_errno("stat the target of", link_path);
  // A regular file is linked to the lower layer's inode when it can be: the layers are directories
  // of one file system and never change once written, so the link is the tar's hardlink kept as
  // one inode (umoci's unpack shows the same, and the merged view of overlayfs too), and it costs
  // no copy and no space. Its blocks belong to the lower layer already: not counted again here.
  // Where linking is refused (another file system, protected_hardlinks, EMLINK), a copy.
  if (S_ISREG(st.st_mode)) {
    int rc = ::linkat(src_parent, src_name.c_str(), dirfd, name.c_str(), 0);
    if (rc != 0 && errno == EEXIST) {
      remove_existing(dirfd, name, link_path);
      rc = ::linkat(src_parent, src_name.c_str(), dirfd, name.c_str(), 0);
    }
    if (rc == 0) {
      stats_.apparent_bytes += st.st_size;
      return;
    }
  }
  // The copy is a new file of this layer with the lower file's content, owner, mode, xattrs, mtime.
  tar::Entry meta;
  meta.uid = st.st_uid;
  meta.gid = st.st_gid;
  meta.mode = st.st_mode & 07777;
  meta.mtime = st.st_mtim;
  UniqueFd src;
  if (S_ISREG(st.st_mode)) {
    src = UniqueFd(::openat(src_parent, src_name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!src) fail_errno("open the target of", link_path);
    // Lowers were written by this store: their xattrs passed the filter once already.
    for (auto& [xname, value] : read_xattrs(src.get()))
      if (!dropped_xattr(xname)) meta.xattrs.emplace_back(std::move(xname), std::move(value));
  }
  if (S_ISREG(st.st_mode)) {
    UniqueFd out;
    create_replacing(dirfd, name, link_path, [&](int d, const char* n) {
      int fd = ::openat(d, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0) return -1;
      out.reset(fd);
      return 0;
    });
    copy_content(src.get(), out.get(), st.st_size, link_path);
    file_ = std::move(out);
    file_path_ = link_path;
    file_entry_ = meta;
    ++stats_.inodes;
    stats_.apparent_bytes += st.st_size;
    end();
    return;
  }
  if (S_ISLNK(st.st_mode)) {
    std::vector<char> target(static_cast<size_t>(st.st_size) + 1);
    ssize_t n = ::readlinkat(src_parent, src_name.c_str(), target.data(), target.size());
    if (n < 0 || static_cast<size_t>(n) >= target.size()) fail_errno("read the symlink target of", link_path);
    std::string t(target.data(), static_cast<size_t>(n));
    create_replacing(dirfd, name, link_path, [&](int d, const char* nm) { return ::symlinkat(t.c_str(), d, nm); });
  } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    create_replacing(dirfd, name, link_path, [&](int d, const char* nm) {
      return ::mknodat(d, nm, (st.st_mode & S_IFMT) | 0600, st.st_rdev);
    });
    if (::fchmodat(dirfd, name.c_str(), meta.mode, 0) != 0) fail_errno("chmod", link_path);
  } else {
    refuse(link_path, "hardlink to a lower layer's socket or unknown file type: refused");
  }
  count_created(dirfd, name.c_str());
  chown_at(dirfd, name.c_str(), meta.uid, meta.gid, link_path, AT_SYMLINK_NOFOLLOW);
  const timespec times[2] = {meta.mtime, meta.mtime};
  if (::utimensat(dirfd, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) fail_errno("set the mtime of", link_path);
}

void LayerApplier::link_from_lowers(const std::vector<int>& lower_fds) {
  if (pending_.empty()) return;
  // The directories the links go into: opened for writing now, their final mode and mtime again after.
  std::set<std::string> touched;
  for (const auto& [link, target] : pending_) {
    std::vector<std::string> parts = confined_parts(link, "name");
    for (size_t i = 0; i + 1 <= parts.size(); ++i) touched.insert(join(parts, i));
  }
  for (const std::string& dir : touched) {
    auto it = dirs_.find(dir);
    if (it == dirs_.end() || !it->second.has_attrs || (it->second.mode & S_IRWXU) == S_IRWXU) continue;
    UniqueFd fd = open_confined(root_fd_, dir, O_RDONLY | O_DIRECTORY);
    if (!fd) continue;  // replaced by a non-directory later in the layer
    if (::fchmod(fd.get(), it->second.mode | S_IRWXU) != 0) fail_errno("chmod", dir);
  }
  std::map<std::string, std::string> made;  // target -> the first link made for it
  for (const auto& [link, target] : pending_) {
    std::vector<std::string> target_parts = confined_parts(target, "hardlink target");
    if (auto it = made.find(target); it != made.end()) {
      // A second link to the same lower file: the same copy, as it was the same inode.
      std::vector<std::string> first = confined_parts(it->second, "name");
      std::vector<std::string> own = confined_parts(link, "name");
      UniqueFd from = open_confined(root_fd_, join(first, first.size() - 1), O_PATH | O_DIRECTORY);
      if (!from) fail_errno("open", it->second);
      int dirfd = parent_fd(join(own, own.size() - 1), link, true);
      create_replacing(dirfd, own.back(), link,
                       [&](int d, const char* n) { return ::linkat(from.get(), first.back().c_str(), d, n, 0); });
      continue;
    }
    // This layer first (a link to a later member, or one a whiteout or an opaque dir above hides).
    UniqueFd tparent;
    Lookup here = look_up(root_fd_, target_parts, opaque_xattr(), &tparent);
    if (here == Lookup::Found) {
      std::vector<std::string> own = confined_parts(link, "name");
      int dirfd = parent_fd(join(own, own.size() - 1), link, true);
      create_replacing(dirfd, own.back(), link, [&](int d, const char* n) {
        return ::linkat(tparent.get(), target_parts.back().c_str(), d, n, 0);
      });
      made.emplace(target, link);
      continue;
    }
    bool done = false;
    for (size_t i = 0; here == Lookup::Absent && i < lower_fds.size(); ++i) {
      Lookup found = look_up(lower_fds[i], target_parts, opaque_xattr(), &tparent);
      if (found == Lookup::Hidden) break;
      if (found == Lookup::Found) {
        copy_from_lower(tparent.get(), target_parts.back(), link);
        made.emplace(target, link);
        done = true;
        break;
      }
    }
    if (!done)
      throw Error("layer entry \"" + link + "\": hardlink target \"" + target + "\" is in no lower layer");
  }
  pending_.clear();
  for (const auto& [path, rec] : dirs_) {
    if (rec.created && !rec.counted) touched.insert(path);  // made on the way to a link
  }
  apply_dir_attrs(&touched);
}

}  // namespace roost::layer
