// The child's mounts, in its own mount namespace: propagation of /, a fresh /sys for a new network
// namespace (the host's /sys/fs/cgroup bound back into it), /proc for a new pid namespace, a
// cgroup2 for --evacuate-cgroup2, and /etc/resolv.conf and /etc/hosts from the state dir.
#pragma once

#include <string>
#include <vector>

namespace roost::ns {

// rprivate, private, rslave, slave, rshared, shared.
void set_root_propagation(const std::string& mode);

// Fresh sysfs on /sys (its /sys/fs/cgroup is the host's, bound back, or with `cgroup2` a new
// cgroup2 instance). A read-only sysfs when a rw one is refused, as rootlesskit.
void mount_fresh_sysfs(bool cgroup2);
// --evacuate-cgroup2 without a new network namespace: a new cgroup2 on /sys/fs/cgroup.
void mount_cgroup2_only();
void mount_fresh_proc();

// $STATE/resolv.conf ("nameserver X" lines) and $STATE/hosts (the host's /etc/hosts plus
// 127.0.0.1 and ::1 for the hostname).
void write_network_files(const std::string& state_dir, const std::vector<std::string>& dns);
// Binds them over /etc/resolv.conf and /etc/hosts; with /etc copied up, the links there are
// replaced by empty files first, so the bind does not land on the host's file.
void bind_network_files(const std::string& state_dir, bool etc_copied_up);

}  // namespace roost::ns
