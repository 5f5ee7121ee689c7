#include "sys/cgroup_manager.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <thread>

#include "sys/cgroup_limits.hpp"
#include "sys/cgroups.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/log.hpp"

namespace roost {
namespace {

// The caller's own cgroup v2 path ("0::/path" in /proc/self/cgroup).
std::string own_cgroup() {
  for (const auto& line : split(read_file("/proc/self/cgroup"), '\n'))
    if (starts_with(line, "0::")) return line.substr(3);
  return "/";
}

bool has_word(const std::string& text, const std::string& word) {
  for (const auto& line : split(text, '\n'))
    for (const auto& w : split(line, ' '))
      if (w == word) return true;
  return false;
}

// Makes controller usable in dir: enabled in the subtree_control of every ancestor below the mount.
// Returns an explanation when it cannot be, "" on success.
std::string enable_controller(const std::string& mount, const std::string& relative, const std::string& controller) {
  std::string parent = mount;
  for (const auto& part : split(relative, '/')) {
    if (part.empty()) continue;
    std::string available;
    try {
      available = read_file(parent + "/cgroup.controllers");
    } catch (const Error& e) {
      return e.what();
    }
    if (!has_word(available, controller))
      return "cgroup " + parent + " does not offer the " + controller + " controller (host cgroups: " +
             cgroup_mode_name(detect_cgroup_mode()) + ")";
    if (!has_word(read_file(parent + "/cgroup.subtree_control"), controller)) {
      try {
        write_file(parent + "/cgroup.subtree_control", "+" + controller, O_WRONLY);
      } catch (const SysError& e) {
        if (e.err() == EBUSY)
          return "cannot enable " + controller + " in " + parent +
                 ": it holds processes itself (cgroup v2 allows controllers only above leaves); give an absolute "
                 "linux.cgroupsPath in a subtree of its own";
        return e.what();
      }
    }
    parent += "/" + part;
  }
  return "";
}

// Writes the limits to dir, enabling controllers on the way; skips a write the host cannot take only
// when it asks for the default anyway.
void write_limits(const std::string& mount, const std::string& relative, const std::vector<CgroupWrite>& writes) {
  const std::string dir = mount + relative;
  std::set<std::string> unavailable, enabled;
  for (const auto& w : writes) {
    if (!w.controller.empty() && !enabled.count(w.controller) && !unavailable.count(w.controller)) {
      std::string problem = enable_controller(mount, relative, w.controller);
      if (problem.empty()) {
        enabled.insert(w.controller);
      } else if (w.is_default) {
        log::debug("cgroup: " + w.file + " skipped: " + problem);
        unavailable.insert(w.controller);
        continue;
      } else {
        throw Error("linux.resources: cannot set " + w.file + "=" + w.value + ": " + problem);
      }
    }
    if (unavailable.count(w.controller)) {
      if (w.is_default) continue;
      throw Error("linux.resources: cannot set " + w.file + "=" + w.value + ": the " + w.controller +
                  " controller is not available here");
    }
    try {
      write_file(dir + "/" + w.file, w.value, O_WRONLY);
    } catch (const SysError& e) {
      throw Error("linux.resources: cannot set " + w.file + "=" + w.value + " in " + dir + ": " +
                  std::strerror(e.err()));
    }
  }
}

bool permission_problem(int err) { return err == EACCES || err == EPERM || err == EROFS; }

// The groups directly below dir (the sub-cgroups a container with a cgroup namespace made).
std::vector<std::string> child_cgroups(const std::string& dir) {
  std::vector<std::string> children;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (struct dirent* ent = ::readdir(d))
      if (ent->d_type == DT_DIR && ent->d_name[0] != '.') children.push_back(dir + "/" + ent->d_name);
    ::closedir(d);
  }
  return children;
}

}  // namespace

std::string cgroup_v2_mount() {
  switch (detect_cgroup_mode()) {
    case CgroupMode::V2: return "/sys/fs/cgroup";
    case CgroupMode::Hybrid: return "/sys/fs/cgroup/unified";
    case CgroupMode::V1: return "";
  }
  return "";
}

std::string create_container_cgroup(const CgroupRequest& req) {
  const auto writes = cgroup_v2_writes(req.resources);
  const bool needed = std::any_of(writes.begin(), writes.end(), [](const CgroupWrite& w) { return !w.is_default; });
  auto stay = [&](const std::string& why) -> std::string {
    if (needed) throw Error("linux.resources: cannot apply the limits: " + why);
    log::debug("the container stays in the caller's cgroup: " + why);
    return "";
  };
  const std::string mount = cgroup_v2_mount();
  if (mount.empty())
    return stay("the host has cgroup v1 only, and roost-runtime manages cgroup v2 (boot with "
                "systemd.unified_cgroup_hierarchy=1)");
  const std::string relative = cgroup_relative_path(req.cgroups_path, req.id, req.systemd, own_cgroup());
  const std::string dir = mount + relative;

  // Create each missing level, remembering which, so a failure removes only what we made.
  std::vector<std::string> made;
  auto unmake = [&made] {
    for (auto it = made.rbegin(); it != made.rend(); ++it) ::rmdir(it->c_str());
  };
  std::string path = mount;
  for (const auto& part : split(relative, '/')) {
    if (part.empty()) continue;
    path += "/" + part;
    if (::mkdir(path.c_str(), 0755) == 0) {
      made.push_back(path);
    } else if (errno == EEXIST && path == dir && ::access((dir + "/cgroup.procs").c_str(), W_OK) != 0) {
      // Somebody else's group (another user's container of the same name, say): not ours to use.
      return stay("cgroup " + dir + " exists and is not writable by uid " + std::to_string(::geteuid()));
    } else if (errno == EEXIST && path == dir && !split(read_file(dir + "/cgroup.procs"), '\n').front().empty()) {
      throw Error("cgroup " + dir + " already holds processes: give each container a cgroupsPath of its own");
    } else if (errno != EEXIST) {
      int err = errno;
      unmake();
      if (permission_problem(err)) {
        std::string hint = cgroup_delegation_problem(detect_cgroup_mode());
        return stay("cannot create cgroup " + path + ": " + std::strerror(err) + (hint.empty() ? "" : "; " + hint));
      }
      throw Error("cannot create cgroup " + path + ": " + std::strerror(err));
    }
  }
  try {
    write_limits(mount, relative, writes);
  } catch (...) {
    unmake();
    throw;
  }
  return dir;
}

void apply_cgroup_resources(const std::string& dir, const oci::Resources& resources) {
  const std::string mount = cgroup_v2_mount();
  if (mount.empty() || dir.compare(0, mount.size() + 1, mount + "/") != 0)
    throw Error("cgroup " + dir + " is not under the cgroup v2 mount");
  write_limits(mount, dir.substr(mount.size()), cgroup_v2_writes(resources));
}

void join_cgroup(const std::string& dir, pid_t pid) {
  write_file(dir + "/cgroup.procs", std::to_string(pid), O_WRONLY);
}

bool cgroup_frozen(const std::string& dir) {
  try {
    for (const auto& line : split(read_file(dir + "/cgroup.events"), '\n'))
      if (line == "frozen 1") return true;
    return false;
  } catch (const Error&) {
    return false;
  }
}

void set_cgroup_frozen(const std::string& dir, bool frozen) {
  write_file(dir + "/cgroup.freeze", frozen ? "1" : "0", O_WRONLY);
  // The kernel freezes asynchronously; cgroup.events says when every task has stopped.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (cgroup_frozen(dir) != frozen) {
    if (std::chrono::steady_clock::now() > deadline)
      throw Error(std::string("cgroup ") + dir + " did not " + (frozen ? "freeze" : "thaw") + " within 10 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::vector<pid_t> cgroup_pids(const std::string& dir) {
  std::vector<pid_t> pids;
  for (const auto& line : split(read_file(dir + "/cgroup.procs"), '\n'))
    if (!line.empty()) pids.push_back(static_cast<pid_t>(std::stol(line)));
  for (const auto& child : child_cgroups(dir))
    for (pid_t p : cgroup_pids(child)) pids.push_back(p);
  return pids;
}

void remove_cgroup(const std::string& dir) {
  for (const auto& child : child_cgroups(dir)) remove_cgroup(child);
  // A process that has just been killed leaves the cgroup only once it is fully gone.
  for (int attempt = 0;; ++attempt) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
    if (errno != EBUSY || attempt == 500) throw_errno("remove cgroup " + dir);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace roost
