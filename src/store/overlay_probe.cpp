#include "store/overlay_probe.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "idmap/idmap_writer.hpp"
#include "store/rootfs_mount.hpp"
#include "store/store_files.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::store {
namespace fs = std::filesystem;

namespace {

std::string kernel_release() {
  struct utsname u;
  if (::uname(&u) < 0) throw_errno("uname");
  return u.release;
}

void put_file(const fs::path& path, const std::string& content) {
  write_file(path.string(), content, O_CREAT | O_EXCL, 0644);
}

// Two lowers: bottom l2 {a, b, d/x}; top l1 {a: whiteout, c, d/: opaque, d/y}.
void build_probe_tree(const fs::path& dir) {
  for (const char* d : {"l1", "l2", "l2/d", "l1/d", "upper", "work", "merged"})
    if (::mkdir((dir / d).c_str(), 0755) < 0) throw_errno("mkdir " + (dir / d).string());
  put_file(dir / "l2/a", "a2");
  put_file(dir / "l2/b", "b2");
  put_file(dir / "l2/d/x", "x2");
  put_file(dir / "l1/c", "c1");
  put_file(dir / "l1/d/y", "y1");
  if (::mknod((dir / "l1/a").c_str(), S_IFCHR | 0000, makedev(0, 0)) < 0) throw_errno("make a whiteout (mknod c 0 0)");
  if (::setxattr((dir / "l1/d").c_str(), "user.overlay.opaque", "y", 1, 0) < 0)
    throw_errno("set user.overlay.opaque on a directory");
}

bool absent(const fs::path& p) {
  struct stat st;
  return ::lstat(p.c_str(), &st) < 0 && errno == ENOENT;
}

// What is wrong with the merged view, or "".
std::string check_merged(const fs::path& dir) {
  const fs::path m = dir / "merged";
  if (!absent(m / "a")) return "a whited-out file shows through";
  if (!absent(m / "d/x")) return "an opaque directory shows its lower contents";
  try {
    if (read_file((m / "b").string()) != "b2") return "a lower file reads wrong";
    if (read_file((m / "c").string()) != "c1") return "an upper lower's file reads wrong";
    if (read_file((m / "d/y").string()) != "y1") return "an opaque directory's own file reads wrong";
    put_file(m / "new", "n");
    if (::unlink((m / "b").c_str()) < 0) throw_errno("remove a lower file through the mount");
  } catch (const Error& e) {
    return e.what();
  }
  if (!absent(m / "b")) return "a removed lower file is still there";
  if (absent(dir / "upper/new")) return "a new file did not reach the upper dir";
  return "";
}

// One attempt with one driver in a fresh scratch tree; "" when it works, else why not.
std::string try_driver(const fs::path& storage, OverlayDriver driver) {
  const std::string name = "overlay-probe-" + random_suffix();
  const fs::path dir = storage / name;
  if (::mkdir(dir.c_str(), 0700) < 0) throw_errno("mkdir " + dir.string());
  std::string problem;
  try {
    build_probe_tree(dir);
    mount_layers({dir / "l1", dir / "l2"}, dir / "merged", driver, UpperDirs{dir / "upper", dir / "work"});
    problem = check_merged(dir);
    try {
      unmount_layers(dir / "merged");
    } catch (const Error& e) {
      if (problem.empty()) problem = e.what();
    }
  } catch (const Error& e) {
    problem = e.what();
  }
  try {
    UniqueFd fd = open_dir(storage);
    remove_tree_at(fd.get(), name, dir.string());
  } catch (const Error& e) {
    if (problem.empty()) problem = std::string("remove the probe's files: ") + e.what();
  }
  return problem;
}

std::string fuse_unusable() {
  if (idmap::find_helper("fuse-overlayfs").empty()) return "fuse-overlayfs is not installed";
  UniqueFd fd(::open("/dev/fuse", O_RDWR | O_CLOEXEC));
  if (!fd) return std::string("/dev/fuse cannot be opened: ") + errno_name(errno);
  return "";
}

OverlayDriver driver_from_name(const std::string& n) {
  if (n == driver_name(OverlayDriver::KernelOverlay)) return OverlayDriver::KernelOverlay;
  if (n == driver_name(OverlayDriver::FuseOverlayfs)) return OverlayDriver::FuseOverlayfs;
  return OverlayDriver::None;
}

}  // namespace

const char* driver_name(OverlayDriver d) {
  switch (d) {
    case OverlayDriver::KernelOverlay: return "overlay";
    case OverlayDriver::FuseOverlayfs: return "fuse-overlayfs";
    case OverlayDriver::Copy: return "copy";
    case OverlayDriver::None: break;
  }
  return "none";
}

std::string check_overlay_driver(const StorePaths& paths, OverlayDriver driver) {
  if (driver == OverlayDriver::FuseOverlayfs)
    if (std::string why = fuse_unusable(); !why.empty()) return why;
  make_dirs(paths.storage().string(), 0700);
  return try_driver(paths.storage(), driver);
}

bool copy_driver_requested() {
  const char* v = ::getenv("ROOST_STORAGE_DRIVER");
  if (!v || !*v) return false;
  if (std::string(v) == "copy") return true;
  throw Error(std::string("ROOST_STORAGE_DRIVER=") + v + ": the one value is \"copy\" (unset: probe for overlay)");
}

OverlayProbe probe_overlay(const StorePaths& paths, bool copy_requested) {
  OverlayProbe probe;
  if (copy_requested) {
    probe.driver = OverlayDriver::Copy;
    probe.detail = "plain copies (ROOST_STORAGE_DRIVER=copy): every container copies its image's files";
    return probe;
  }
  const std::string kernel = kernel_release();
  const fs::path cache = paths.run_root / "overlay-probe";
  const fs::path storage = paths.storage();
  try {
    auto j = nlohmann::json::parse(read_file(cache.string()));
    if (j.at("kernel") == kernel && j.at("storage") == storage.string()) {
      probe.driver = driver_from_name(j.at("driver").get<std::string>());
      probe.detail = j.at("detail").get<std::string>();
      if (probe.driver != OverlayDriver::None) return probe;
    }
  } catch (const std::exception&) {
    // No cache, or an unreadable one: probe.
  }
  make_dirs(storage.string(), 0700);
  const std::string kernel_problem = try_driver(storage, OverlayDriver::KernelOverlay);
  if (kernel_problem.empty()) {
    probe.driver = OverlayDriver::KernelOverlay;
    probe.detail = "overlay (userxattr), kernel " + kernel;
  } else {
    std::string fuse_problem = fuse_unusable();
    if (fuse_problem.empty()) fuse_problem = try_driver(storage, OverlayDriver::FuseOverlayfs);
    if (fuse_problem.empty()) {
      probe.driver = OverlayDriver::FuseOverlayfs;
      probe.detail = "fuse-overlayfs (the kernel's overlay failed: " + kernel_problem + ")";
    } else {
      probe.driver = OverlayDriver::None;
      probe.detail = "no overlay works here: the kernel's (" + kernel_problem + "), fuse-overlayfs (" + fuse_problem +
                     "); install fuse-overlayfs (apt-get install fuse-overlayfs), or set "
                     "ROOST_STORAGE_DRIVER=copy for plain copies";
      return probe;
    }
  }
  try {
    make_dirs(paths.run_root.string(), 0700);
    nlohmann::json j = {{"kernel", kernel}, {"storage", storage.string()}, {"driver", driver_name(probe.driver)},
                        {"detail", probe.detail}};
    write_file_atomic(cache.string(), j.dump() + "\n", 0644);
  } catch (const Error&) {
    // A cache that cannot be written only costs a probe next time.
  }
  return probe;
}

}  // namespace roost::store
