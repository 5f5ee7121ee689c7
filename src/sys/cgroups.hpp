// What kind of cgroup hierarchy the host has, and whether the caller was delegated a cgroup v2
// subtree. roost-runtime does not manage cgroups yet; this tells the user why a container runs in
// the caller's cgroup, and chooses how /sys/fs/cgroup is shown inside the container.
#pragma once

#include <string>

namespace roost {

enum class CgroupMode { V1, Hybrid, V2 };

CgroupMode detect_cgroup_mode();
const char* cgroup_mode_name(CgroupMode mode);

// Empty when the caller owns a cgroup v2 subtree it can create children in; otherwise the reason not.
std::string cgroup_delegation_problem(CgroupMode mode);

}  // namespace roost
