// --evacuate-cgroup2 NAME, rootlesskit's way (docs/process.md): from the parent, once the child is
// in the same cgroup, every process of the caller's cgroup v2 group moves into GROUP/NAME and
// GROUP's subtree_control gets every controller it has, so that the child, in its own cgroup
// namespace rooted at GROUP, can delegate further. Only the cgroup2 mount is ever touched.
#pragma once

#include <string>

namespace roost::ns {

// Throws roost::Error in one line when there is no cgroup v2 group the caller may write (no
// cgroup2 mount, the root group, or a group not delegated to it), before anything is moved.
void evacuate_cgroup2(const std::string& name);

}  // namespace roost::ns
