// Enters roost's user namespace as store commands do (store/userns_session) and prints what it
// found as one JSON object (with StorePaths::for_current_user before and after), for
// tests/unit/store_userns_test.cpp, which runs it as the test users:
//   roost-userns-probe [--chown FILE] [--probe DIR] [--check DIR DRIVER] [--mount DIR DRIVER] [--nested]
// --chown makes FILE and gives it uid and gid 33 inside; --probe runs the overlay probe over a
// store in DIR/data and DIR/run; --check runs the probe's test with one DRIVER ("overlay" or
// "fuse-overlayfs"); --mount stacks 60 one-file layers made in DIR with DRIVER ("overlay",
// "overlay-classic": mount(2) with fd-number paths, or "fuse-overlayfs") read-only at DIR/merged
// (then the bottom layer alone), checks every file shows, unmounts;
// --nested runs this program again from inside (it must find itself inside: entered false).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "store/overlay_probe.hpp"
#include "store/rootfs_mount.hpp"
#include "store/userns_session.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace roost::store;

namespace {

std::string mount_test(const fs::path& dir, const std::string& driver_text) {
  const OverlayDriver driver = driver_text == "fuse-overlayfs" ? OverlayDriver::FuseOverlayfs : OverlayDriver::KernelOverlay;
  std::vector<fs::path> lowers;
  for (int i = 59; i >= 0; --i) {
    // Long names like the store's (64 hex digits), so that the options pass a page.
    char hex[65];
    std::snprintf(hex, sizeof hex, "%064d", i);
    const fs::path diff = dir / "layers" / hex / "diff";
    fs::create_directories(diff);
    roost::write_file((diff / ("f" + std::to_string(i))).string(), std::to_string(i), O_CREAT | O_TRUNC);
    lowers.push_back(diff);
  }
  const fs::path merged = dir / "merged";
  fs::create_directories(merged);
  if (driver_text == "overlay-classic")
    mount_kernel_overlay_classic(lowers, merged, std::nullopt);
  else
    mount_layers(lowers, merged, driver, std::nullopt);
  std::string problem;
  for (int i = 0; i < 60 && problem.empty(); ++i) {
    try {
      if (roost::read_file((merged / ("f" + std::to_string(i))).string()) != std::to_string(i)) problem = "f" + std::to_string(i) + " reads wrong";
    } catch (const roost::Error& e) {
      problem = e.what();
    }
  }
  if (problem.empty() && ::open((merged / "new").c_str(), O_CREAT | O_WRONLY, 0644) >= 0) problem = "a read-only stack took a new file";
  unmount_layers(merged);
  // One layer alone (a bind, read-only, for the kernel driver).
  if (problem.empty() && driver_text != "overlay-classic") {
    mount_layers({lowers.back()}, merged, driver, std::nullopt);
    try {
      if (roost::read_file((merged / "f0").string()) != "0") problem = "a one-layer stack reads wrong";
    } catch (const roost::Error& e) {
      problem = e.what();
    }
    if (problem.empty() && ::open((merged / "new").c_str(), O_CREAT | O_WRONLY, 0644) >= 0) problem = "a one-layer stack took a new file";
    if (problem.empty() && !fs::exists(merged / "f0")) problem = "f0 missing";
    if (problem.empty() && fs::exists(merged / "f1")) problem = "a one-layer stack shows another layer";
    unmount_layers(merged);
  }
  return problem.empty() ? "ok" : problem;
}

}  // namespace

int main(int argc, char** argv) {
  json out;
  try {
    // The store's paths as the user's environment gives them, outside and then inside.
    const StorePaths outside = StorePaths::for_current_user();
    out["paths_outside"] = {outside.data_root.string(), outside.run_root.string()};
    // A namespace of its own: the probe checks the maps a new one gets, and must leave no pause
    // process behind in the test users' run-time dirs (the shared one is tests/containers').
    const UsernsSession& s = enter_private_user_namespace();
    const StorePaths inside = StorePaths::for_current_user();
    out["paths_inside"] = {inside.data_root.string(), inside.run_root.string()};
    out["entered"] = s.entered;
    out["squash_ids"] = s.squash_ids;
    out["real_root"] = s.real_root;
    out["map_summary"] = s.map_summary;
    out["gid_map_summary"] = s.gid_map_summary;
    out["uid_map"] = roost::read_file("/proc/self/uid_map");
    out["euid"] = ::geteuid();
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--chown" && i + 1 < argc) {
        const std::string file = argv[++i];
        roost::write_file(file, "owned", O_CREAT | O_TRUNC);
        out["chown"] = ::chown(file.c_str(), 33, 33) == 0 ? "ok" : roost::errno_name(errno);
      } else if (arg == "--probe" && i + 1 < argc) {
        StorePaths paths;
        paths.data_root = fs::path(argv[++i]) / "data";
        paths.run_root = fs::path(argv[i]) / "run";
        OverlayProbe p = probe_overlay(paths);
        out["probe"] = {{"driver", driver_name(p.driver)}, {"detail", p.detail}};
        p = probe_overlay(paths);  // from the cache now
        out["probe_cached"] = driver_name(p.driver);
      } else if (arg == "--check" && i + 2 < argc) {
        StorePaths paths;
        paths.data_root = fs::path(argv[++i]) / "data";
        paths.run_root = fs::path(argv[i]) / "run";
        const std::string d = argv[++i];
        std::string why = check_overlay_driver(paths, d == "fuse-overlayfs" ? OverlayDriver::FuseOverlayfs : OverlayDriver::KernelOverlay);
        out["check_" + d] = why.empty() ? "ok" : why;
      } else if (arg == "--mount" && i + 2 < argc) {
        const fs::path dir = argv[++i];
        const std::string driver = argv[++i];
        out["mount_" + driver] = mount_test(dir, driver);
      } else if (arg == "--nested") {
        int pipefd[2];
        if (::pipe(pipefd) < 0) roost::throw_errno("pipe");
        pid_t pid = ::fork();
        if (pid == 0) {
          ::dup2(pipefd[1], 1);
          ::execl("/proc/self/exe", "roost-userns-probe", static_cast<char*>(nullptr));
          ::_exit(127);
        }
        ::close(pipefd[1]);
        std::string text;
        char buf[4096];
        ssize_t n;
        while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
        ::close(pipefd[0]);
        ::waitpid(pid, nullptr, 0);
        out["nested"] = json::parse(text, nullptr, false);
      } else {
        throw roost::Error("unknown argument " + arg);
      }
    }
  } catch (const std::exception& e) {
    out["error"] = e.what();
    std::cout << out.dump() << "\n";
    return 1;
  }
  std::cout << out.dump() << "\n";
  return 0;
}
