// Building the container's file system view inside its new mount namespace, in three steps around
// the createContainer hooks:
//   prepare_rootfs  (host paths visible) mounts, devices, /dev links
//   enter_rootfs    pivot_root (or MS_MOVE + chroot with --no-pivot)
//   finish_rootfs   (container paths) sysctl, masked and read-only paths, read-only root, propagation
#pragma once

#include <string>

#include "oci/spec.hpp"
#include "sys/cgroups.hpp"

namespace roost {

struct RootfsContext {
  const oci::Spec* spec = nullptr;
  std::string bundle;          // absolute path of the bundle (relative bind sources start here)
  std::string rootfs;          // absolute path of the rootfs on the host
  bool bind_devices = false;   // in a user namespace: mknod is not allowed, bind the host's nodes
  bool new_netns = false;      // sysfs can only be mounted fresh in a network namespace we own
  bool new_cgroupns = false;
  CgroupMode cgroup_mode = CgroupMode::V2;
  bool no_pivot = false;
};

void prepare_rootfs(const RootfsContext& ctx);
void enter_rootfs(const RootfsContext& ctx);
void finish_rootfs(const RootfsContext& ctx);

}  // namespace roost
