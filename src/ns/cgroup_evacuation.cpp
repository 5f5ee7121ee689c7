#include "ns/cgroup_evacuation.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/log.hpp"

namespace roost::ns {
namespace {

// The mount point of the first cgroup2 file system in /proc/self/mountinfo.
std::string cgroup2_mountpoint() {
  for (const auto& line : split(read_file("/proc/self/mountinfo"), '\n')) {
    size_t dash = line.find(" - ");
    if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) continue;
    auto fields = split(line.substr(0, dash), ' ');
    if (fields.size() > 4) return fields[4];
  }
  return "";
}

std::string own_cgroup2_group() {
  for (const auto& line : split(read_file("/proc/self/cgroup"), '\n'))
    if (starts_with(line, "0::")) return line.substr(3);
  return "";
}

const char* kHint = " (systemd-run --user --scope -p Delegate=yes gives one)";

}  // namespace

void evacuate_cgroup2(const std::string& name) {
  const std::string mount = cgroup2_mountpoint();
  if (mount.empty()) throw Error(std::string("--evacuate-cgroup2 needs a cgroup v2 group: no cgroup2 is mounted") + kHint);
  const std::string group = own_cgroup2_group();
  if (group.empty() || group == "/")
    throw Error("--evacuate-cgroup2 needs a delegated cgroup v2 group: this process is in the root group of " +
                mount + kHint);
  const std::string dir = mount + group;
  if (::access((dir + "/cgroup.procs").c_str(), W_OK) != 0 || ::access(dir.c_str(), W_OK) != 0 ||
      ::access((dir + "/cgroup.subtree_control").c_str(), W_OK) != 0)
    throw Error("--evacuate-cgroup2 needs a delegated cgroup v2 group: " + dir + " is not writable by uid " +
                std::to_string(::geteuid()) + kHint);
  const std::string target = dir + "/" + name;
  if (::mkdir(target.c_str(), 0755) < 0 && errno != EEXIST) throw_errno("mkdir " + target);
  for (const auto& pid : split(read_file(dir + "/cgroup.procs"), '\n')) {
    if (pid.empty() || pid == "0") continue;
    try {
      write_file(target + "/cgroup.procs", pid, O_TRUNC);
    } catch (const Error& e) {
      log::warn(std::string("moving process ") + pid + " to " + target + ": " + e.what());
    }
  }
  for (const auto& controller : split(read_file(dir + "/cgroup.controllers"), ' ')) {
    std::string c = controller;
    while (!c.empty() && (c.back() == '\n' || c.back() == ' ')) c.pop_back();
    if (c.empty()) continue;
    try {
      write_file(dir + "/cgroup.subtree_control", "+" + c, O_TRUNC);
    } catch (const Error& e) {
      log::warn("enabling controller " + c + " in " + dir + ": " + e.what());
    }
  }
}

}  // namespace roost::ns
