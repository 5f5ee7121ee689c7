// Pure translation of linux.resources into cgroup v2 interface-file writes, with the conversions
// the runtime-spec's cgroup v2 mapping uses (cpu shares to cpu.weight, memory+swap to
// memory.swap.max, blkio weight to io.weight). No file system access: unit-tested on its own.
#pragma once

#include <string>
#include <vector>

#include "oci/resources.hpp"

namespace roost {

struct CgroupWrite {
  std::string controller;  // the controller that must be enabled for the file; "" for core files
  std::string file;        // e.g. "memory.max"
  std::string value;
  // The value a new cgroup has anyway (or cgroup v1's default, such as cpu shares 1024): a host
  // without the controller loses nothing when this write is skipped.
  bool is_default = false;
};

// Throws roost::Error for contradictory requests (swap below the memory limit).
std::vector<CgroupWrite> cgroup_v2_writes(const oci::Resources& resources);

// runtime-spec cgroupsPath to a path under the cgroup v2 mount ("/a/b", without the mount):
//   - absolute paths are taken as they are;
//   - relative ones, and the empty default ("<id>"), go under the caller's own cgroup;
//   - with --systemd-cgroup, "slice:prefix:name" becomes "/slice expanded/prefix-name.scope".
// Throws roost::Error for ".." components or a malformed systemd path.
std::string cgroup_relative_path(const std::string& cgroups_path, const std::string& id, bool systemd,
                                 const std::string& own_cgroup);

}  // namespace roost
