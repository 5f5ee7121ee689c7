#include "sys/cgroups.hpp"

#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost {

CgroupMode detect_cgroup_mode() {
  struct statfs fs;
  if (::statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) return CgroupMode::V2;
  if (::statfs("/sys/fs/cgroup/unified", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) return CgroupMode::Hybrid;
  return CgroupMode::V1;
}

const char* cgroup_mode_name(CgroupMode mode) {
  switch (mode) {
    case CgroupMode::V1: return "v1";
    case CgroupMode::Hybrid: return "hybrid (v1 controllers, v2 tree at /sys/fs/cgroup/unified)";
    case CgroupMode::V2: return "v2";
  }
  return "unknown";
}

std::string cgroup_delegation_problem(CgroupMode mode) {
  if (mode != CgroupMode::V2)
    return std::string("the host's cgroups are ") + cgroup_mode_name(mode) + "; roost needs a cgroup v2 host";
  std::string own;
  try {
    for (const auto& line : split(read_file("/proc/self/cgroup"), '\n'))
      if (starts_with(line, "0::")) own = line.substr(3);
  } catch (const Error& e) {
    return e.what();
  }
  if (own.empty()) return "no cgroup v2 entry in /proc/self/cgroup";
  std::string dir = "/sys/fs/cgroup" + own;
  if (::access((dir + "/cgroup.procs").c_str(), W_OK) != 0 || ::access(dir.c_str(), W_OK) != 0)
    return "cgroup " + own + " is not delegated to uid " + std::to_string(::geteuid()) +
           " (systemd-run --user --scope -p Delegate=yes gives one)";
  return "";
}

}  // namespace roost
