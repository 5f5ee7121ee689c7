#include "check/live_probe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <filesystem>
#include <optional>
#include <vector>

#include "store/overlay_probe.hpp"
#include "store/userns_session.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace roost::check {
namespace {

bool initial_user_namespace() {
  unsigned long inside = 1, outside = 1, count = 0;
  FILE* f = std::fopen("/proc/self/uid_map", "re");
  if (!f) return true;
  const int n = std::fscanf(f, "%lu %lu %lu", &inside, &outside, &count);
  std::fclose(f);
  return n == 3 && inside == 0 && outside == 0 && count == 4294967295UL;
}

void write_line(int fd, const nlohmann::json& j) {
  const std::string out = j.dump() + "\n";
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::write(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// The child's whole job: one JSON line per finding on fd, as each is known, so that a probe that
// hangs still leaves the ones before it.
[[noreturn]] void child_main(int fd, const store::StorePaths& paths) {
  try {
    if (::geteuid() == 0 && initial_user_namespace()) {
      // Real root needs no user namespace, but its test mounts must not reach the host's.
      if (::unshare(CLONE_NEWNS) < 0) throw_errno("unshare a mount namespace");
      if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) throw_errno("make / private");
      write_line(fd, {{"map", ""}});
    } else {
      write_line(fd, {{"map", store::enter_private_user_namespace().map_summary}});
    }
  } catch (const std::exception& e) {
    write_line(fd, {{"userns_error", e.what()}});
    ::_exit(0);
  }
  for (const auto& [key, driver] : {std::pair{"kernel", store::OverlayDriver::KernelOverlay},
                                    std::pair{"fuse", store::OverlayDriver::FuseOverlayfs}}) {
    std::string problem;
    try {
      problem = store::check_overlay_driver(paths, driver);
    } catch (const std::exception& e) {
      problem = e.what();
    }
    write_line(fd, {{key, problem}});
  }
  ::_exit(0);
}

long now_ms() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

}  // namespace

LiveFindings probe_live(const store::StorePaths& paths, int timeout_seconds) {
  // The directories of the storage path that do not exist yet, deepest first: the probe makes
  // them (it mounts on the store's own file system) and they are removed again afterwards, so a
  // check on a machine without a store leaves none.
  std::vector<std::filesystem::path> made;
  for (std::filesystem::path p = paths.storage(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
    std::error_code ec;
    if (std::filesystem::exists(p, ec) || ec) break;
    made.push_back(p);
  }
  LiveFindings live;
  live.tried = true;
  live.storage = paths.storage().string();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) throw_errno("pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork the namespace probe");
  if (pid == 0) {
    read_end.reset();
    child_main(write_end.get(), paths);
  }
  write_end.reset();

  std::string out;
  bool timed_out = false;
  const long deadline = now_ms() + timeout_seconds * 1000L;
  for (;;) {
    const long left = deadline - now_ms();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd p{read_end.get(), POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      timed_out = r == 0;
      break;
    }
    char buf[4096];
    const ssize_t n = ::read(read_end.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const std::string why = timed_out ? "the probe did not finish in " + std::to_string(timeout_seconds) + "s"
                          : WIFSIGNALED(status) ? "the probe was killed by signal " + std::to_string(WTERMSIG(status))
                                                : "the probe reported nothing";
  nlohmann::json found = nlohmann::json::object();
  for (const auto& line : split(out, '\n')) {
    if (line.empty()) continue;
    try {
      found.update(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception&) {
      // A line cut by the kill: what it held counts as not found.
    }
  }
  auto text = [&](const char* key) -> std::optional<std::string> {
    if (!found.contains(key) || !found[key].is_string()) return std::nullopt;
    return found[key].get<std::string>();
  };
  if (auto e = text("userns_error")) {
    live.userns_error = *e;
  } else if (auto map = text("map")) {
    live.map_summary = *map;
    live.kernel_overlay_error = text("kernel").value_or(why);
    live.fuse_overlay_error = text("fuse").value_or(why);
  } else {
    live.userns_error = why;
  }
  // A storage dir made for the probe holds only the probe's lock file (store/overlay_probe) then.
  if (!made.empty()) ::unlink((paths.storage() / "overlay-probe.lock").c_str());
  for (const auto& dir : made) ::rmdir(dir.c_str());  // not empty: someone else uses it now
  return live;
}

}  // namespace roost::check
