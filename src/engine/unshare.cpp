#include "engine/unshare.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "engine/image_ops.hpp"
#include "store/overlay_probe.hpp"
#include "store/rootfs_mount.hpp"
#include "store/userns_session.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::engine {
namespace {

// A mount made by a process that created its own namespace would vanish with it: mount and
// umount mean something only inside `roost unshare` (or as real root).
void require_lasting_namespace() {
  const store::UsernsSession& session = store::enter_user_namespace();
  if (session.entered)
    throw Error("roost image mount and umount run inside `roost unshare` (the mount lives in its namespace)");
}

// True when /proc/self/mountinfo lists `path` as a mount point (field 5).
bool is_mount_point(const std::filesystem::path& path) {
  for (const auto& line : split(read_file("/proc/self/mountinfo"), '\n')) {
    const auto f = split(line, ' ');
    if (f.size() > 4 && f[4] == path.string()) return true;
  }
  return false;
}

}  // namespace

int unshare_exec(const GlobalOptions& global, const std::vector<std::string>& argv) {
  store::enter_user_namespace(store_paths(global).run_root);
  if (!global.root.empty()) ::setenv("ROOST_ROOT", global.root.c_str(), 1);
  if (!global.run_root.empty()) ::setenv("ROOST_RUNROOT", global.run_root.c_str(), 1);
  std::vector<std::string> args = argv;
  if (args.empty()) {
    const char* shell = ::getenv("SHELL");
    args.push_back(shell && *shell ? shell : "/bin/sh");
  }
  std::vector<char*> raw;
  for (auto& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);
  ::execvp(raw[0], raw.data());
  const int err = errno;
  std::fprintf(stderr, "Error: exec %s: %s\n", args[0].c_str(), std::strerror(err));
  return err == ENOENT ? 127 : 126;
}

std::filesystem::path image_mount_point(const store::Store& store, const store::ImageRecord& image) {
  return store.paths().run_root / "mounts" / image.id.hex;
}

std::filesystem::path mount_image(store::Store& store, const std::string& text) {
  require_lasting_namespace();
  const store::ImageRecord img = require_image(store, text);
  const std::filesystem::path target = image_mount_point(store, img);
  if (is_mount_point(target)) return target;
  const store::OverlayProbe probe = store::probe_overlay(store.paths());
  if (probe.driver != store::OverlayDriver::KernelOverlay && probe.driver != store::OverlayDriver::FuseOverlayfs)
    throw Error(std::string("roost image mount needs overlayfs or fuse-overlayfs; the store uses ") +
                store::driver_name(probe.driver) + " (" + probe.detail + ")");
  std::vector<std::filesystem::path> lowers;
  for (size_t i = img.layers.size(); i-- > 0;) lowers.push_back(store.layer_diff_path(img.layers[i]));
  if (lowers.empty()) throw Error(text + ": the image has no layers to mount");
  make_dirs(target.string(), 0700);
  try {
    store::mount_layers(lowers, target, probe.driver, std::nullopt);
  } catch (...) {
    ::rmdir(target.c_str());
    throw;
  }
  return target;
}

std::filesystem::path unmount_image(store::Store& store, const std::string& text) {
  require_lasting_namespace();
  const store::ImageRecord img = require_image(store, text);
  const std::filesystem::path target = image_mount_point(store, img);
  if (!is_mount_point(target)) throw Error(text + ": the image is not mounted (at " + target.string() + ")");
  store::unmount_layers(target);
  if (::rmdir(target.c_str()) != 0 && errno != ENOENT) throw_errno("remove " + target.string());
  return target;
}

}  // namespace roost::engine
