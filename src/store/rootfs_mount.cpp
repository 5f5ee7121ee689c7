#include "store/rootfs_mount.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idmap/idmap_writer.hpp"
#include "store/idmapped_mount.hpp"
#include "sys/mount_api.hpp"
#include "sys/mount_attr.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/process.hpp"

namespace roost::store {
namespace fs = std::filesystem;

namespace {

constexpr size_t kMountPage = 4095;  // mount(2)'s options are one page, NUL included

UniqueFd open_target(const fs::path& target) {
  UniqueFd fd(::open(target.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) throw_errno("open mount target " + target.string());
  return fd;
}

void bind_read_only(const fs::path& lower, const fs::path& target) {
  UniqueFd tree = clone_mount_tree(lower.string(), false);
  if (!tree) throw_errno("bind " + lower.string());
  if (set_mount_attr_fd(tree.get(), kAttrRdonly, 0, false) < 0) throw_errno("make the bind of " + lower.string() + " read-only");
  UniqueFd dest = open_target(target);
  if (attach_mount_tree(tree.get(), dest.get()) < 0) throw_errno("attach " + lower.string() + " at " + target.string());
}

// Kernels before 6.8: mount(2), from a child that opens every lower and works in /proc/self/fd,
// so that each lowerdir entry is an fd number ("7:8:9", a few bytes a layer, any path length).
void classic_overlay_impl(const std::vector<fs::path>& lowers, const fs::path& target, const std::optional<UpperDirs>& upper) {
  const fs::path abs_target = fs::absolute(target);
  const bool userxattr = overlay_uses_user_xattrs();
  std::optional<UpperDirs> abs_upper;
  if (upper) abs_upper = UpperDirs{fs::absolute(upper->upper), fs::absolute(upper->work)};
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) < 0) throw_errno("pipe");
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork to mount overlay");
  if (pid == 0) {
    // [0]: errno, [1]: 1 when the options passed a page.
    int report[2] = {0, 0};
    std::string data = "lowerdir=";
    for (size_t i = 0; i < lowers.size() && !report[0]; ++i) {
      int fd = ::open(fs::absolute(lowers[i]).c_str(), O_PATH | O_DIRECTORY);
      if (fd < 0) report[0] = errno;
      data += (i ? ":" : "") + std::to_string(fd);
    }
    if (abs_upper) data += ",upperdir=" + abs_upper->upper.string() + ",workdir=" + abs_upper->work.string();
    if (userxattr) data += ",userxattr";
    if (abs_upper && upper->discard_after_run) data += ",volatile";
    if (!report[0] && data.size() > kMountPage) report[0] = E2BIG, report[1] = 1;
    if (!report[0] && (::chdir("/proc/self/fd") < 0 || ::mount("overlay", abs_target.c_str(), "overlay", 0, data.c_str()) < 0))
      report[0] = errno;
    (void)!::write(err_pipe[1], report, sizeof report);
    ::_exit(report[0] ? 1 : 0);
  }
  ::close(err_pipe[1]);
  int report[2] = {EIO, 0};
  if (::read(err_pipe[0], report, sizeof report) != sizeof report) report[0] = EIO;
  ::close(err_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (report[1])
    throw Error(std::to_string(lowers.size()) + " layers are too many for one overlay mount on this kernel (the "
                "options pass a page; kernel 6.8 takes any number)");
  if (report[0] == EINVAL && upper && upper->discard_after_run) {  // a kernel before 5.10: no `volatile`
    UpperDirs durable = *upper;
    durable.discard_after_run = false;
    return classic_overlay_impl(lowers, target, durable);
  }
  if (report[0]) throw SysError("mount overlay at " + target.string(), report[0]);
}

void kernel_overlay(const std::vector<fs::path>& lowers, const fs::path& target, const std::optional<UpperDirs>& upper) {
  if (upper && upper->discard_after_run) {
    // A volatile mount leaves work/work/incompat/volatile (a directory holding `dirty`) behind,
    // and overlay refuses that work dir ever after (it cannot tell a clean unmount from a
    // crash): a --rm container whose start failed after the mount (undone) could not be started
    // again. Nothing it ran is kept anyway.
    const fs::path marker = upper->work / "work" / "incompat" / "volatile";
    std::error_code ec;
    fs::remove_all(marker, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
      throw Error("remove overlay's volatile marker " + marker.string() + ": " + ec.message());
  }
  std::vector<std::string> options;
  for (const auto& l : lowers) options.push_back("lowerdir+=" + l.string());
  if (upper) {
    options.push_back("upperdir=" + upper->upper.string());
    options.push_back("workdir=" + upper->work.string());
  }
  if (overlay_uses_user_xattrs()) options.push_back("userxattr");
  if (upper && upper->discard_after_run) options.push_back("volatile");
  std::string detail;
  UniqueFd mnt = new_filesystem_mount("overlay", "overlay", options, 0, detail);
  if (!mnt) {
    const int err = errno;
    // No "lowerdir+" (before 6.8), or no fd mount API at all (before 5.2). An overlay older than
    // the fs-context API (before 6.5) takes every key through the legacy adapter and fails the
    // create with a bare EINVAL, its words in the kernel log only: empty `detail`. The classic
    // mount is tried then (a kernel without `volatile`, before 5.10, is one of these: the classic
    // path retries without it).
    if (err == ENOSYS || (err == EINVAL && (detail.empty() || detail.find("lowerdir+") != std::string::npos)))
      return classic_overlay_impl(lowers, target, upper);
    throw Error("mount overlay at " + target.string() + ": " + errno_name(err) + (detail.empty() ? "" : ": " + detail));
  }
  UniqueFd dest = open_target(target);
  if (attach_mount_tree(mnt.get(), dest.get()) < 0) throw_errno("attach overlay at " + target.string());
}

// fuse-overlayfs's option syntax: ',' and ':' in a path are escaped with a backslash.
std::string fuse_escape(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ',' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// fuse-overlayfs's mapping option: "c:h:s" triples joined by ':' (its man page), the store's id
// c showing as h.
std::string fuse_mapping(const idmap::Mappings& maps) {
  std::string out;
  for (const auto& m : maps)
    out += (out.empty() ? "" : ":") + std::to_string(m.container_id) + ":" + std::to_string(m.host_id) + ":" +
           std::to_string(m.size);
  return out;
}

// fuse-overlayfs, started so that it does not keep its own mount alive. Left to mount by itself,
// its daemon lives in the mount namespace it mounted in, and while a namespace holds the mount the
// daemon's connection stays: the daemon outlived the last other process of a `roost unshare`
// namespace it had mounted in (tried here). So the mount is made here, on an fd of /dev/fuse (the
// mount(2) libfuse's fusermount makes), and fuse-overlayfs serves that fd ("/dev/fd/N", which
// libfuse takes as a connection already mounted) from a child mount namespace in which the mount
// is detached: once the namespaces that hold it are gone (the container's monitor, or an unmount),
// the connection ends and the daemon exits.
void fuse_overlay(const std::vector<fs::path>& lowers, const fs::path& target, const std::optional<UpperDirs>& upper,
                  const LayerIdMap& ids) {
  const std::string program = idmap::find_helper("fuse-overlayfs");
  if (program.empty())
    throw Error(std::string("fuse-overlayfs is not installed") + (ids.empty() ? "" : " (a rootless id mapping needs it)") +
                ": apt-get install fuse-overlayfs");
  const fs::path abs_target = fs::absolute(target);
  // Not close-on-exec: fuse-overlayfs inherits it.
  UniqueFd fuse(::open("/dev/fuse", O_RDWR));
  if (!fuse) throw_errno("open /dev/fuse for fuse-overlayfs");
  const std::string data = "fd=" + std::to_string(fuse.get()) + ",rootmode=40000,user_id=" + std::to_string(::geteuid()) +
                           ",group_id=" + std::to_string(::getegid()) + ",default_permissions,allow_other";
  if (::mount("fuse-overlayfs", abs_target.c_str(), "fuse.fuse-overlayfs", 0, data.c_str()) < 0)
    throw_errno("mount fuse-overlayfs at " + target.string());

  // The child's failure comes back as its line (fork_reporting); its status when it has none.
  UniqueFd report;
  const pid_t pid = fork_reporting(
      [&] {
        if (::unshare(CLONE_NEWNS) < 0) throw_errno("unshare a mount namespace for fuse-overlayfs");
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) throw_errno("make fuse-overlayfs's mounts private");
        if (::umount2(abs_target.c_str(), MNT_DETACH) < 0) throw_errno("detach " + target.string() + " from fuse-overlayfs's view");
        ProgramSpec spec;
        spec.path = program;
        spec.argv = {"fuse-overlayfs", "-o", fuse_overlay_options(lowers, upper, ids), "/dev/fd/" + std::to_string(fuse.get())};
        spec.capture_stderr = true;
        spec.timeout_seconds = 30;
        ProgramResult r = run_program(spec);
        if (!r.succeeded()) {
          std::string msg = r.error_output;
          while (!msg.empty() && msg.back() == '\n') msg.pop_back();
          throw Error("fuse-overlayfs at " + target.string() + " " + r.describe() + (msg.empty() ? "" : ": " + msg));
        }
      },
      report, /*die_with_parent=*/false);
  fuse.reset();
  std::string failure = read_to_end(report.get());
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (failure.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
    failure = "fuse-overlayfs at " + target.string() + ": its starter " + ProgramResult{status, false, ""}.describe();
  if (!failure.empty()) {
    ::umount2(abs_target.c_str(), MNT_DETACH);  // nothing serves it: take it away
    throw Error(failure);
  }
}

// Real root: each lower idmapped (a detached mount held by an fd, named "/proc/self/fd/N" to
// overlayfs, which resolves it at mount time), then the kernel overlay over them. The fds close
// once the overlay holds its layers.
void idmapped_kernel_overlay(const std::vector<fs::path>& lowers, const fs::path& target,
                             const std::optional<UpperDirs>& upper, const LayerIdMap& ids) {
  const IdMapNamespace ns = IdMapNamespace::create(ids.uid, ids.gid);
  std::vector<UniqueFd> trees;
  std::vector<fs::path> paths;
  for (const auto& lower : lowers) {
    trees.push_back(idmapped_tree(lower, ns));
    paths.push_back("/proc/self/fd/" + std::to_string(trees.back().get()));
  }
  if (lowers.size() == 1 && !upper) {
    if (set_mount_attr_fd(trees[0].get(), kAttrRdonly, 0, false) < 0)
      throw_errno("make the bind of " + lowers[0].string() + " read-only");
    UniqueFd dest = open_target(target);
    if (attach_mount_tree(trees[0].get(), dest.get()) < 0) throw_errno("attach " + lowers[0].string() + " at " + target.string());
    return;
  }
  kernel_overlay(paths, target, upper);
}

}  // namespace

OverlayDriver driver_for_mapping(OverlayDriver store_driver, const LayerIdMap& ids) {
  if (ids.empty() || !running_rootless()) return store_driver;
  return store_driver == OverlayDriver::KernelOverlay ? OverlayDriver::FuseOverlayfs : store_driver;
}

std::string fuse_overlay_options(const std::vector<fs::path>& lowers, const std::optional<UpperDirs>& upper,
                                 const LayerIdMap& ids) {
  std::string opts = "lowerdir=";
  for (size_t i = 0; i < lowers.size(); ++i) opts += (i ? ":" : "") + fuse_escape(lowers[i].string());
  if (upper) opts += ",upperdir=" + fuse_escape(upper->upper.string()) + ",workdir=" + fuse_escape(upper->work.string());
  if (!ids.empty()) opts += ",uidmapping=" + fuse_mapping(ids.uid) + ",gidmapping=" + fuse_mapping(ids.gid);
  return opts;
}

void mount_layers(const std::vector<fs::path>& lowers_top_first, const fs::path& target, OverlayDriver driver,
                  const std::optional<UpperDirs>& upper, const LayerIdMap& ids) {
  if (lowers_top_first.empty()) throw Error("mount at " + target.string() + ": no layers");
  if (!ids.empty() && (ids.uid.empty() || ids.gid.empty()))
    throw Error("mount at " + target.string() + ": an id mapping needs both a uid and a gid map");
  switch (driver_for_mapping(driver, ids)) {
    case OverlayDriver::KernelOverlay:
      if (!ids.empty()) return idmapped_kernel_overlay(lowers_top_first, target, upper, ids);
      if (lowers_top_first.size() == 1 && !upper) return bind_read_only(lowers_top_first[0], target);
      return kernel_overlay(lowers_top_first, target, upper);
    case OverlayDriver::FuseOverlayfs:
      return fuse_overlay(lowers_top_first, target, upper, ids);
    case OverlayDriver::Copy:
    case OverlayDriver::None:
      break;
  }
  throw Error(std::string("the ") + driver_name(driver) + " storage driver has no layers to mount at " + target.string());
}

void mount_kernel_overlay_classic(const std::vector<fs::path>& lowers_top_first, const fs::path& target,
                                  const std::optional<UpperDirs>& upper) {
  if (lowers_top_first.size() < 2 && !upper) throw Error("mount at " + target.string() + ": overlay needs two lowers without an upper");
  classic_overlay_impl(lowers_top_first, target, upper);
}

bool overlay_uses_user_xattrs() { return running_rootless(); }

void make_reachable(const fs::path& path) {
  for (fs::path dir = fs::absolute(path); ; dir = dir.parent_path()) {
    struct stat st{};
    if (::stat(dir.c_str(), &st) < 0) throw_errno("stat " + dir.string());
    // g+x too: the container's processes keep the user's own group among their supplementary
    // groups (unmapped inside, still checked), and for a member the group's bits apply, not others'.
    constexpr mode_t kSearch = S_IXGRP | S_IXOTH;
    if (S_ISDIR(st.st_mode) && st.st_uid == ::geteuid() && (st.st_mode & kSearch) != kSearch &&
        ::chmod(dir.c_str(), (st.st_mode & 07777) | kSearch) < 0)
      throw_errno("let the container's user namespace reach " + path.string() + ": chmod go+x " + dir.string());
    if (dir == dir.root_path()) break;
  }
}

void unmount_layers(const fs::path& target) {
  if (::umount2(target.c_str(), UMOUNT_NOFOLLOW) < 0) throw_errno("unmount " + target.string());
}

}  // namespace roost::store
