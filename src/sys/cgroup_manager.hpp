// The container's own cgroup v2 directory: created by `create` with the limits of
// linux.resources, joined by `exec`, frozen by `pause`, rewritten by `update`, removed by `delete`.
//
// roost-runtime manages cgroup v2 only: the whole tree on a v2 host, the v2 tree at
// /sys/fs/cgroup/unified on a hybrid host (which gives freezing and placement, but only the
// controllers the host left to v2). cgroup v1 controllers are never touched. When the caller may
// not create the cgroup (rootless without a delegated subtree) and nothing requested needs one,
// the container stays in the caller's cgroup, as runc and crun do rootless.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "oci/resources.hpp"

namespace roost {

struct CgroupRequest {
  std::string cgroups_path;  // linux.cgroupsPath
  std::string id;
  bool systemd = false;      // --systemd-cgroup: cgroupsPath is slice:prefix:name
  oci::Resources resources;
};

// The v2 mount point: /sys/fs/cgroup (v2), /sys/fs/cgroup/unified (hybrid), "" (v1 only).
std::string cgroup_v2_mount();

// Creates the container's cgroup and writes its limits; returns its absolute directory, or "" when
// the container is to stay in the caller's cgroup (the reason is logged with --debug). Throws
// roost::Error when a requested limit cannot be applied, saying what to do.
std::string create_container_cgroup(const CgroupRequest& request);

// Writes limits to an existing cgroup (update). Throws when a requested limit cannot be applied.
void apply_cgroup_resources(const std::string& dir, const oci::Resources& resources);

// Moves a process into the cgroup.
void join_cgroup(const std::string& dir, pid_t pid);

// Freezes or thaws the cgroup and waits until the kernel reports it done.
void set_cgroup_frozen(const std::string& dir, bool frozen);
bool cgroup_frozen(const std::string& dir);

// The pids in the cgroup and all its descendants.
std::vector<pid_t> cgroup_pids(const std::string& dir);

// Removes the cgroup and the sub-cgroups the container made. Waits briefly for exiting processes;
// a cgroup that is gone already is fine.
void remove_cgroup(const std::string& dir);

}  // namespace roost
