#include "rootfs/rootfs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/magic.h>

#include "rootfs/copy_up.hpp"
#include "sys/mount_api.hpp"
#include "sys/mount_attr.hpp"
#include "rootfs/mount_options.hpp"
#include "rootfs/secure_path.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/log.hpp"

namespace roost {
namespace {

// The devices every container gets (runtime-spec config-linux.md "Default Devices").
struct DefaultDevice {
  const char* path;
  unsigned major, minor;
};
constexpr DefaultDevice kDefaultDevices[] = {
    {"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

bool is_dir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void do_mount(const std::string& source, const std::string& target, const std::string& fstype,
              unsigned long flags, const std::string& data, const std::string& what) {
  if (::mount(source.c_str(), target.c_str(), fstype.empty() ? nullptr : fstype.c_str(), flags,
              data.empty() ? nullptr : data.c_str()) < 0)
    throw_errno(what);
}

// Applies per-mount flags to an existing bind mount without touching the flags the kernel locks
// in a user namespace.
void apply_bind_flags(const std::string& target, const MountOptions& opts, bool recursive, const std::string& what) {
  uint64_t set = 0, clear = 0;
  ms_flags_to_attr(opts.flags, opts.clear_flags, set, clear);
  if (set == 0 && clear == 0) return;
  if (set_mount_attr(target.c_str(), set, clear, recursive) < 0) throw_errno("set flags of " + what);
}

void apply_propagation(const std::string& target, unsigned long propagation, const std::string& what) {
  if (propagation == 0) return;
  do_mount("", target, "", propagation, "", "set propagation of " + what);
}

std::string strip_option(const std::string& data, const std::string& prefix) {
  std::string out;
  for (const auto& part : split(data, ',')) {
    if (part.empty() || starts_with(part, prefix)) continue;
    if (!out.empty()) out += ',';
    out += part;
  }
  return out;
}

// The host's tree bound read-only where the container may not mount the file system itself (a
// rootless container without its own network namespace cannot mount sysfs, for example).
void bind_host_readonly(int root_fd, const std::string& host_path, const std::string& dest, const std::string& what) {
  UniqueFd target = make_in_root(root_fd, dest, false);
  constexpr uint64_t kLocked = kAttrRdonly | kAttrNosuid | kAttrNodev | kAttrNoexec;
  if (UniqueFd tree = clone_mount_tree(host_path, true)) {
    // Read-only before it is attached: there is no moment at which the host's tree is writable
    // in the container.
    if (set_mount_attr_fd(tree.get(), kLocked, 0, true) < 0) throw_errno("make " + what + " read-only");
    if (attach_mount_tree(tree.get(), target.get()) < 0) throw_errno("bind " + host_path + " for " + what);
    return;
  } else if (errno != ENOSYS) {
    throw_errno("bind " + host_path + " for " + what);
  }
  do_mount(host_path, fd_path(target.get()), "", MS_BIND | MS_REC, "", "bind " + host_path + " for " + what);
  // The fd still names the directory under the new mount: look the destination up again.
  target = open_in_root(root_fd, dest, O_PATH);
  if (!target || set_mount_attr(fd_path(target.get()).c_str(), kLocked, 0, true) < 0)
    throw_errno("make " + what + " read-only");
}

// "mount tmpfs on /x: EINVAL (Invalid argument); the kernel says: tmpfs: Bad value for 'size'"
Error mount_error(const std::string& what, int err, const std::string& kernel_detail) {
  const std::string base = SysError("mount " + what, err).what();
  return Error(kernel_detail.empty() ? base : base + "; the kernel says: " + kernel_detail);
}

struct FsInstance {
  std::string type, source;
  unsigned long flags;  // MS_* without MS_BIND/MS_REC/MS_REMOUNT
  std::string data;
};

// Mounts a new instance of a file system onto `dest_fd` (`dest`, inside the rootfs). With the new
// mount API it is configured and given its flags while detached, filled with a copy of
// `copy_from` (tmpcopyup) before anything can see it, and attached by fd; where the kernel lacks
// the API, mount(2) onto the fd's /proc path. A read-only copied-up tmpfs is made read-only
// after the copy. Returns an fd naming the attached mount, or an invalid one with errno set and
// `detail` holding what the kernel said.
UniqueFd mount_filesystem(int root_fd, const std::string& dest, int dest_fd, const FsInstance& fs, int copy_from,
                          std::string& detail) {
  const bool readonly_after_copy = copy_from >= 0 && (fs.flags & MS_RDONLY);
  const unsigned long flags = readonly_after_copy ? fs.flags & ~MS_RDONLY : fs.flags;
  auto make_readonly = [&](int mount_fd) {
    if (readonly_after_copy && set_mount_attr_fd(mount_fd, kAttrRdonly, 0, false) < 0)
      throw_errno("make " + dest + " read-only after copying it up");
  };
  if (UniqueFd mnt = new_filesystem_mount(fs.type, fs.source, split_fs_options(fs.type, fs.data), flags, detail)) {
    if (copy_from >= 0) {
      UniqueFd root(::openat(mnt.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!root) throw_errno("open the new " + fs.type + " for " + dest);
      copy_tree(copy_from, root.get(), dest);
      make_readonly(mnt.get());
    }
    if (attach_mount_tree(mnt.get(), dest_fd) < 0) throw_errno("attach " + fs.type + " on " + dest);
    return mnt;  // after move_mount it names the attached mount
  } else if (errno != ENOSYS) {
    return UniqueFd();
  }
  detail.clear();
  if (::mount(fs.source.c_str(), fd_path(dest_fd).c_str(), fs.type.c_str(), flags,
              fs.data.empty() ? nullptr : fs.data.c_str()) < 0)
    return UniqueFd();
  // The fd we mounted through still names the covered directory: open the new mount's root.
  UniqueFd mounted = open_in_root(root_fd, dest, O_RDONLY | O_DIRECTORY);
  if (!mounted) throw_errno("open " + dest + " after mounting");
  if (copy_from >= 0) {
    copy_tree(copy_from, mounted.get(), dest);
    make_readonly(mounted.get());
  }
  return mounted;
}

// /proc and /sys must be the real file systems exactly where they are named: a symlink there
// (CVE-2019-19921, CVE-2023-27561) would put them elsewhere and leave masked and read-only paths
// under /proc and /sys pointing at whatever the image put in their place. 0 for other mounts.
void mount_one_unchecked(const RootfsContext& ctx, int root_fd, const oci::Mount& m);

long special_fs_magic(const oci::Mount& m) {
  std::string dest = m.destination;
  while (dest.size() > 1 && dest.back() == '/') dest.pop_back();
  if (!dest.empty() && dest[0] != '/') dest = "/" + dest;
  if (m.type == "proc" || dest == "/proc") return PROC_SUPER_MAGIC;
  if (m.type == "sysfs" || dest == "/sys") return SYSFS_MAGIC;
  return 0;
}

void refuse_symlinked_destination(int root_fd, const oci::Mount& m) {
  UniqueFd probe = open_in_root_no_symlinks(root_fd, m.destination, O_PATH);
  if (!probe && errno == ELOOP)
    throw Error("mount " + m.type + " on " + m.destination +
                ": the destination is or goes through a symlink in the rootfs (refused)");
}

void verify_special_fs(int root_fd, const oci::Mount& m, long magic) {
  UniqueFd mounted = open_in_root_no_symlinks(root_fd, m.destination, O_PATH | O_DIRECTORY);
  struct statfs sfs;
  if (!mounted || ::fstatfs(mounted.get(), &sfs) < 0) throw_errno("check " + m.destination + " after mounting");
  if (sfs.f_type != magic)
    throw Error("mount " + m.type + " on " + m.destination + ": not a " +
                (magic == PROC_SUPER_MAGIC ? "procfs" : "sysfs") + " after mounting (refused)");
}

void mount_one(const RootfsContext& ctx, int root_fd, const oci::Mount& m) {
  const long magic = special_fs_magic(m);
  if (magic == 0) {
    mount_one_unchecked(ctx, root_fd, m);
    return;
  }
  refuse_symlinked_destination(root_fd, m);
  mount_one_unchecked(ctx, root_fd, m);
  verify_special_fs(root_fd, m, magic);
}

// A bind: a detached copy of the source that gets its flags before it is attached onto `dest`;
// mount(2) onto the fd's path where the kernel lacks the API.
void mount_bind(int root_fd, const oci::Mount& m, const MountOptions& opts, const std::string& source, UniqueFd dest) {
  const bool recursive = opts.recursive_bind();
  if (UniqueFd tree = clone_mount_tree(source, recursive)) {
    // Flags go onto the detached copy, which is then attached onto the inode `dest` holds: the
    // destination is never looked up again (CVE-2021-30465), and the bind is never visible
    // without its flags.
    uint64_t set = 0, clear = 0;
    ms_flags_to_attr(opts.flags, opts.clear_flags, set, clear);
    if ((set || clear) && set_mount_attr_fd(tree.get(), set, clear, recursive) < 0)
      throw_errno("set flags of " + m.destination);
    if (attach_mount_tree(tree.get(), dest.get()) < 0)
      throw_errno("bind mount " + m.source + " on " + m.destination);
    // After move_mount the tree fd names the attached mount.
    apply_propagation(fd_path(tree.get()), opts.propagation, m.destination);
    return;
  } else if (errno != ENOSYS) {
    throw_errno("bind mount " + m.source + " on " + m.destination);
  }
  do_mount(source, fd_path(dest.get()), "", MS_BIND | (recursive ? MS_REC : 0), "",
           "bind mount " + m.source + " on " + m.destination);
  // Re-open: the fd still points at the directory under the new mount.
  dest = open_in_root(root_fd, m.destination, O_PATH);
  if (!dest) throw_errno("open " + m.destination + " after mounting");
  const std::string mounted = fd_path(dest.get());
  apply_bind_flags(mounted, opts, recursive, m.destination);
  apply_propagation(mounted, opts.propagation, m.destination);
}

// A fresh cgroup2 mount shows only the container's own cgroup, and only inside a cgroup namespace
// on a v2 host; otherwise the host's tree, read-only so it cannot be changed (CVE-2023-25809).
void mount_cgroup(const RootfsContext& ctx, int root_fd, const oci::Mount& m, unsigned long flags, int dest_fd,
                  const std::string& what) {
  std::string detail;
  if (ctx.cgroup_mode == CgroupMode::V2 && ctx.new_cgroupns &&
      mount_filesystem(root_fd, m.destination, dest_fd, {"cgroup2", "cgroup2", flags, ""}, -1, detail))
    return;
  log::debug("cgroup on " + m.destination + ": binding the host's /sys/fs/cgroup read-only");
  bind_host_readonly(root_fd, "/sys/fs/cgroup", m.destination, what);
}

// A new instance of a file system (tmpfs, proc, devpts ...), with the fallbacks a user namespace
// needs when the kernel refuses one.
void mount_new_filesystem(const RootfsContext& ctx, int root_fd, const oci::Mount& m, const MountOptions& opts,
                          int dest_fd, const std::string& what) {
  unsigned long flags = opts.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
  if (m.type == "cgroup" || m.type == "cgroup2") return mount_cgroup(ctx, root_fd, m, flags, dest_fd, what);
  const std::string source_name = m.source.empty() ? m.type : m.source;
  std::string detail;
  // The directory the tmpfs will cover, kept open so its entries can be copied up.
  UniqueFd covered;
  if (opts.copy_up) {
    if (m.type != "tmpfs") throw Error("mount " + what + ": tmpcopyup is for tmpfs only");
    covered = open_in_root(root_fd, m.destination, O_RDONLY | O_DIRECTORY);
    if (!covered) throw_errno("open " + m.destination + " to copy it up");
  }
  UniqueFd mounted = mount_filesystem(root_fd, m.destination, dest_fd, {m.type, source_name, flags, opts.data},
                                      covered.get(), detail);
  if (mounted) {
    apply_propagation(fd_path(mounted.get()), opts.propagation, m.destination);
    return;
  }
  int err = errno;
  if (m.type == "devpts" && err == EINVAL && opts.data.find("gid=") != std::string::npos) {
    // gid=5 (tty) is not mapped in a one-id user namespace: the kernel refuses it.
    log::debug("devpts on " + m.destination + ": gid not mapped, mounting without gid=");
    mounted = mount_filesystem(root_fd, m.destination, dest_fd,
                               {"devpts", source_name, flags, strip_option(opts.data, "gid=")}, -1, detail);
    if (!mounted) throw mount_error(what, errno, detail);
    apply_propagation(fd_path(mounted.get()), opts.propagation, m.destination);
    return;
  }
  if (m.type == "sysfs" && (err == EPERM || err == EACCES) && !ctx.new_netns) {
    log::debug("sysfs on " + m.destination + ": no network namespace of our own, binding the host's /sys read-only");
    bind_host_readonly(root_fd, "/sys", m.destination, what);
    return;
  }
  if (m.type == "mqueue" && (err == EPERM || err == EACCES) && is_dir("/dev/mqueue")) {
    log::debug("mqueue on " + m.destination + ": binding the host's /dev/mqueue");
    do_mount("/dev/mqueue", fd_path(dest_fd), "", MS_BIND, "", "bind /dev/mqueue for " + what);
    return;
  }
  throw mount_error(what, err, detail);
}

void mount_one_unchecked(const RootfsContext& ctx, int root_fd, const oci::Mount& m) {
  const std::string what = m.type.empty() ? m.destination : m.type + " on " + m.destination;
  MountOptions opts = parse_mount_options(m.options);
  const bool bind = opts.bind() || m.type == "bind";

  bool dest_is_file = false;
  std::string source = m.source;
  if (bind) {
    if (source.empty()) throw Error("mount " + m.destination + ": bind mount without a source");
    if (source[0] != '/') source = ctx.bundle + "/" + source;  // relative to the bundle
    struct stat st;
    if (::stat(source.c_str(), &st) < 0) throw_errno("bind mount source " + m.source);
    dest_is_file = !S_ISDIR(st.st_mode);
  }
  UniqueFd dest = make_in_root(root_fd, m.destination, dest_is_file);
  if (bind)
    mount_bind(root_fd, m, opts, source, std::move(dest));
  else
    mount_new_filesystem(ctx, root_fd, m, opts, dest.get(), what);
}

bool is_device(const std::string& path, char type, unsigned major, unsigned minor) {
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) return false;
  bool kind = type == 'b' ? S_ISBLK(st.st_mode) : S_ISCHR(st.st_mode);
  return kind && ::major(st.st_rdev) == major && ::minor(st.st_rdev) == minor;
}

// The host's node for a device: the same path, udev's /dev/char/M:m links, or any node in /dev.
std::string find_host_device(const std::string& path, char type, unsigned major, unsigned minor) {
  if (type == 'p') throw Error("device " + path + ": a fifo cannot be created in a user namespace");
  const std::string number = std::to_string(major) + ":" + std::to_string(minor);
  for (const std::string& candidate : {path, std::string(type == 'b' ? "/dev/block/" : "/dev/char/") + number})
    if (is_device(candidate, type, major, minor)) return candidate;
  if (DIR* dir = ::opendir("/dev")) {
    std::string found;
    while (struct dirent* ent = ::readdir(dir)) {
      std::string candidate = std::string("/dev/") + ent->d_name;
      if (is_device(candidate, type, major, minor)) {
        found = candidate;
        break;
      }
    }
    ::closedir(dir);
    if (!found.empty()) return found;
  }
  throw Error("device " + path + " (" + std::string(1, type) + " " + number +
              "): the host has no such node to bind into a user namespace");
}

void make_device(const RootfsContext& ctx, int root_fd, const std::string& path, char type, unsigned major,
                 unsigned minor, mode_t mode, uid_t uid, gid_t gid) {
  if (ctx.bind_devices) {
    // In a user namespace device nodes cannot be created; bind a host node of the same device.
    std::string host = find_host_device(path, type, major, minor);
    UniqueFd dest = make_in_root(root_fd, path, true);
    do_mount(host, fd_path(dest.get()), "", MS_BIND, "", "bind device " + host + " on " + path);
    return;
  }
  auto slash = path.rfind('/');
  make_in_root(root_fd, path.substr(0, slash), false);
  UniqueFd dir = open_in_root(root_fd, path.substr(0, slash), O_RDONLY | O_DIRECTORY);
  if (!dir) throw_errno("open parent of " + path);
  std::string name = path.substr(slash + 1);
  mode_t kind = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
  ::unlinkat(dir.get(), name.c_str(), 0);
  if (::mknodat(dir.get(), name.c_str(), kind | (mode & 07777), makedev(major, minor)) < 0) throw_errno("mknod " + path);
  if (::fchownat(dir.get(), name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("chown " + path);
  // mknod is subject to the umask; set the mode the config asked for.
  if (::fchmodat(dir.get(), name.c_str(), mode & 07777, 0) < 0) throw_errno("chmod " + path);
}

void create_devices(const RootfsContext& ctx, int root_fd) {
  const auto& devices = ctx.spec->linux.devices;
  for (const auto& d : devices) {
    char type = d.type == "u" ? 'c' : d.type[0];
    make_device(ctx, root_fd, d.path, type, static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor),
                d.file_mode.value_or(0666), d.uid.value_or(0), d.gid.value_or(0));
  }
  for (const auto& d : kDefaultDevices) {
    bool configured = false;
    for (const auto& c : devices) configured |= c.path == d.path;
    if (!configured) make_device(ctx, root_fd, d.path, 'c', d.major, d.minor, 0666, 0, 0);
  }
}

void create_dev_links(int root_fd) {
  static const std::pair<const char*, const char*> links[] = {
      {"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
      {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"}, {"/proc/kcore", "core"}};
  make_in_root(root_fd, "/dev", false);
  UniqueFd dir = open_in_root(root_fd, "/dev", O_RDONLY | O_DIRECTORY);
  if (!dir) throw_errno("open /dev in the rootfs");
  for (const auto& [target, name] : links) {
    if (std::string(name) == "core" && ::access("/proc/kcore", F_OK) != 0) continue;
    if (std::string(name) == "ptmx") ::unlinkat(dir.get(), name, 0);  // a ptmx node from the image
    if (::symlinkat(target, dir.get(), name) < 0 && errno != EEXIST) throw_errno(std::string("symlink /dev/") + name);
  }
}

unsigned long propagation_flag(const std::string& name) {
  if (name == "shared") return MS_SHARED;
  if (name == "rshared") return MS_SHARED | MS_REC;
  if (name == "slave") return MS_SLAVE;
  if (name == "rslave") return MS_SLAVE | MS_REC;
  if (name == "private") return MS_PRIVATE;
  if (name == "unbindable") return MS_UNBINDABLE;
  if (name == "runbindable") return MS_UNBINDABLE | MS_REC;
  return MS_PRIVATE | MS_REC;
}

// The container's /dev/null, checked to be the null device: masking binds it over files, and a
// /dev/null replaced by a symlink or another file would bind that instead (CVE-2025-31133).
UniqueFd verified_dev_null(int root_fd) {
  UniqueFd null = open_in_root(root_fd, "/dev/null", O_PATH | O_NOFOLLOW);
  struct stat st;
  if (!null || ::fstat(null.get(), &st) < 0) throw_errno("maskedPaths: open /dev/null in the container");
  if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
    throw Error("maskedPaths: /dev/null in the container is not the null device (a symlink or another file): refused");
  return null;
}

// Binds `source_fd` onto `target_fd`, both held by fd: nothing is looked up by name.
void bind_fd_onto(int source_fd, int target_fd, bool recursive, uint64_t attrs, const std::string& what) {
  if (UniqueFd tree = clone_mount_fd(source_fd, recursive)) {
    if (attrs && set_mount_attr_fd(tree.get(), attrs, 0, recursive) < 0) throw_errno("set flags of " + what);
    if (attach_mount_tree(tree.get(), target_fd) < 0) throw_errno(what);
    return;
  } else if (errno != ENOSYS) {
    throw_errno(what);
  }
  do_mount(fd_path(source_fd), fd_path(target_fd), "", MS_BIND | (recursive ? MS_REC : 0), "", what);
  if (attrs) {
    UniqueFd again(::open(fd_path(target_fd).c_str(), O_PATH | O_CLOEXEC));
    if (!again || set_mount_attr(fd_path(again.get()).c_str(), attrs, 0, recursive) < 0) throw_errno("set flags of " + what);
  }
}

// Masks one path (resolved inside the container's root, its last component not followed): an
// empty read-only tmpfs over a directory, the verified /dev/null over anything else.
void mask_path(int root_fd, const std::string& path, const UniqueFd& null) {
  UniqueFd target = open_in_root(root_fd, path, O_PATH | O_NOFOLLOW);
  if (!target) {
    if (errno == ENOENT) return;
    throw_errno("masked path " + path);
  }
  struct stat st;
  if (::fstat(target.get(), &st) < 0) throw_errno("masked path " + path);
  if (S_ISDIR(st.st_mode)) {
    do_mount("tmpfs", fd_path(target.get()), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0k", "mask " + path);
  } else if (!S_ISLNK(st.st_mode)) {
    bind_fd_onto(null.get(), target.get(), false, 0, "mask " + path);
  }
}

void readonly_path(int root_fd, const std::string& path) {
  UniqueFd target = open_in_root(root_fd, path, O_PATH);
  if (!target) {
    if (errno == ENOENT) return;
    throw_errno("read-only path " + path);
  }
  bind_fd_onto(target.get(), target.get(), true, kAttrRdonly | kAttrNosuid | kAttrNodev | kAttrNoexec,
               "read-only path " + path);
}

void write_sysctl(const std::string& key, const std::string& value) {
  std::string path = "/proc/sys/";
  for (char c : key) path += c == '.' ? '/' : c;
  if (key.find("..") != std::string::npos || key.find('/') != std::string::npos)
    throw Error("sysctl " + key + ": not a valid name");
  try {
    write_file(path, value, O_TRUNC);
  } catch (const SysError& e) {
    throw Error("sysctl " + key + "=" + value + ": " + errno_name(e.err()) +
                (e.err() == ENOENT ? " (no such key)" : " (not allowed in this container's namespaces)"));
  }
}

}  // namespace

void prepare_rootfs(const RootfsContext& ctx) {
  const auto& spec = *ctx.spec;
  // Nothing mounted from here on may propagate back to the host.
  do_mount("", "/", "", MS_REC | (spec.linux.rootfs_propagation.find("slave") != std::string::npos ? MS_SLAVE : MS_PRIVATE),
           "", "make / private");
  do_mount(ctx.rootfs, ctx.rootfs, "", MS_BIND | MS_REC, "", "bind the rootfs " + ctx.rootfs + " onto itself");
  UniqueFd root_fd(::open(ctx.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd) throw_errno("open rootfs " + ctx.rootfs);
  for (const auto& m : spec.mounts) mount_one(ctx, root_fd.get(), m);
  create_devices(ctx, root_fd.get());
  create_dev_links(root_fd.get());
}

void enter_rootfs(const RootfsContext& ctx) {
  if (ctx.no_pivot) {
    if (::chdir(ctx.rootfs.c_str()) < 0) throw_errno("chdir " + ctx.rootfs);
    do_mount(ctx.rootfs, "/", "", MS_MOVE, "", "move the rootfs to /");
    if (::chroot(".") < 0) throw_errno("chroot");
    if (::chdir("/") < 0) throw_errno("chdir /");
    return;
  }
  UniqueFd old_root(::open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  UniqueFd new_root(::open(ctx.rootfs.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!old_root || !new_root) throw_errno("open the roots for pivot_root");
  if (::fchdir(new_root.get()) < 0) throw_errno("chdir to the rootfs");
  // pivot_root(".", ".") stacks the old root under the new one; it is then detached, so nothing of
  // the host stays reachable from the container.
  if (::syscall(SYS_pivot_root, ".", ".") < 0) throw_errno("pivot_root");
  if (::fchdir(old_root.get()) < 0) throw_errno("chdir to the old root");
  do_mount("", ".", "", MS_SLAVE | MS_REC, "", "make the old root a slave");
  if (::umount2(".", MNT_DETACH) < 0) throw_errno("detach the old root");
  if (::chdir("/") < 0) throw_errno("chdir /");
}

void finish_rootfs(const RootfsContext& ctx) {
  const auto& spec = *ctx.spec;
  for (const auto& [key, value] : spec.linux.sysctl) write_sysctl(key, value);
  UniqueFd root_fd(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd) throw_errno("open the container's root");
  if (!spec.linux.masked_paths.empty()) {
    UniqueFd null = verified_dev_null(root_fd.get());
    for (const auto& path : spec.linux.masked_paths) mask_path(root_fd.get(), path, null);
  }
  for (const auto& path : spec.linux.readonly_paths) readonly_path(root_fd.get(), path);
  if (spec.root_readonly && set_mount_attr("/", kAttrRdonly, 0, false) < 0) throw_errno("make the root read-only");
  if (!spec.linux.rootfs_propagation.empty())
    do_mount("", "/", "", propagation_flag(spec.linux.rootfs_propagation), "", "set rootfs propagation");
}

}  // namespace roost
