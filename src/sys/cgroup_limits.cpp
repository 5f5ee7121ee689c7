#include "sys/cgroup_limits.hpp"

#include <algorithm>

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost {
namespace {

std::string limit_or_max(int64_t value) { return value <= 0 ? "max" : std::to_string(value); }

// "a-b-c.slice" lives at "a.slice/a-b.slice/a-b-c.slice", as systemd lays slices out.
std::string expand_slice(const std::string& slice) {
  const std::string suffix = ".slice";
  if (slice.size() <= suffix.size() || slice.compare(slice.size() - suffix.size(), suffix.size(), suffix) != 0 ||
      slice.find('/') != std::string::npos)
    throw Error("cgroupsPath: \"" + slice + "\" is not a systemd slice name (NAME.slice)");
  if (slice == "-.slice") return "";
  std::string stem = slice.substr(0, slice.size() - suffix.size());
  if (stem.front() == '-' || stem.back() == '-' || stem.find("--") != std::string::npos)
    throw Error("cgroupsPath: \"" + slice + "\" is not a valid slice name");
  std::string path, prefix;
  for (const auto& part : split(stem, '-')) {
    prefix += (prefix.empty() ? "" : "-") + part;
    path += "/" + prefix + suffix;
  }
  return path;
}

}  // namespace

std::vector<CgroupWrite> cgroup_v2_writes(const oci::Resources& r) {
  std::vector<CgroupWrite> out;
  auto add = [&](std::string controller, std::string file, std::string value, bool is_default) {
    out.push_back({std::move(controller), std::move(file), std::move(value), is_default});
  };
  if (r.memory_limit) add("memory", "memory.max", limit_or_max(*r.memory_limit), *r.memory_limit <= 0);
  if (r.memory_reservation)
    add("memory", "memory.low", *r.memory_reservation < 0 ? "max" : std::to_string(*r.memory_reservation),
        *r.memory_reservation == 0);
  if (r.memory_swap && *r.memory_swap != 0) {
    // The runtime-spec's swap is memory plus swap; cgroup v2 limits the swap alone.
    if (*r.memory_swap < 0) {
      add("memory", "memory.swap.max", "max", true);
    } else {
      if (!r.memory_limit || *r.memory_limit <= 0)
        throw Error("linux.resources.memory.swap: a swap limit needs a memory limit too");
      if (*r.memory_swap < *r.memory_limit)
        throw Error("linux.resources.memory.swap: memory+swap (" + std::to_string(*r.memory_swap) +
                    ") is below the memory limit (" + std::to_string(*r.memory_limit) + ")");
      add("memory", "memory.swap.max", std::to_string(*r.memory_swap - *r.memory_limit), false);
    }
  }
  if (r.cpu_shares && *r.cpu_shares != 0) {
    uint64_t shares = std::clamp<uint64_t>(*r.cpu_shares, 2, 262144);
    add("cpu", "cpu.weight", std::to_string(1 + ((shares - 2) * 9999) / 262142), shares == 1024);
  }
  if ((r.cpu_quota && *r.cpu_quota != 0) || (r.cpu_period && *r.cpu_period != 0)) {
    int64_t quota = r.cpu_quota.value_or(-1);
    uint64_t period = r.cpu_period && *r.cpu_period ? *r.cpu_period : 100000;
    add("cpu", "cpu.max", limit_or_max(quota) + " " + std::to_string(period), quota <= 0 && period == 100000);
  }
  if (r.cpu_burst) add("cpu", "cpu.max.burst", std::to_string(*r.cpu_burst), *r.cpu_burst == 0);
  if (r.cpu_idle) add("cpu", "cpu.idle", std::to_string(*r.cpu_idle), *r.cpu_idle == 0);
  if (!r.cpuset_cpus.empty()) add("cpuset", "cpuset.cpus", r.cpuset_cpus, false);
  if (!r.cpuset_mems.empty()) add("cpuset", "cpuset.mems", r.cpuset_mems, false);
  if (r.pids_limit) add("pids", "pids.max", limit_or_max(*r.pids_limit), *r.pids_limit <= 0);
  if (r.blkio_weight) add("io", "io.weight", "default " + std::to_string(1 + (*r.blkio_weight - 10) * 9999 / 990), false);
  for (const auto& h : r.hugepage_limits) add("hugetlb", "hugetlb." + h.page_size + ".max", std::to_string(h.limit), false);
  for (const auto& [file, value] : r.unified) {
    std::string controller = file.substr(0, file.find('.'));
    add(controller == "cgroup" ? "" : controller, file, value, false);
  }
  return out;
}

std::string cgroup_relative_path(const std::string& cgroups_path, const std::string& id, bool systemd,
                                 const std::string& own_cgroup) {
  std::string path;
  if (systemd && !cgroups_path.empty()) {
    auto parts = split(cgroups_path, ':');
    if (parts.size() != 3 || parts[2].empty())
      throw Error("cgroupsPath \"" + cgroups_path + "\": --systemd-cgroup expects slice:prefix:name");
    const std::string slice = parts[0].empty() ? "system.slice" : parts[0];
    path = expand_slice(slice) + "/" + (parts[1].empty() ? "" : parts[1] + "-") + parts[2] +
           (parts[2].size() > 6 && parts[2].ends_with(".slice") ? "" : ".scope");
  } else if (!cgroups_path.empty() && cgroups_path[0] == '/') {
    path = cgroups_path;
  } else {
    std::string base = own_cgroup == "/" ? "" : own_cgroup;
    path = base + "/" + (cgroups_path.empty() ? id : cgroups_path);
  }
  std::string clean;
  for (const auto& part : split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") throw Error("cgroupsPath \"" + cgroups_path + "\": \"..\" is not allowed");
    clean += "/" + part;
  }
  if (clean.empty()) throw Error("cgroupsPath \"" + cgroups_path + "\" names the root cgroup");
  return clean;
}

}  // namespace roost
