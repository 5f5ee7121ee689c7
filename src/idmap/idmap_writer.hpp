// Writing a new user namespace's id maps, from the runtime (parent) side, once the child exists.
#pragma once

#include <sys/types.h>

#include "idmap/idmap.hpp"

namespace roost {

// True for an unprivileged user, and for root inside a user namespace other than the host's (as
// when podman runs the runtime in its own namespace): neither may touch the host's /run.
bool running_rootless();

}  // namespace roost

namespace roost::idmap {

struct IdMapPlan {
  Mappings uid, gid;
  bool uid_helper = false;       // through newuidmap (setuid) rather than a direct write
  bool gid_helper = false;
  bool deny_setgroups = false;   // required before an unprivileged direct gid_map write
};

// Builds the plan: the config's mappings if any, else (rootless) the caller plus its sub-id ranges,
// falling back to a one-id map when there are no ranges or no helper. Validates everything it can
// before a process exists. `privileged` is true for real root, who writes any map directly.
IdMapPlan plan_id_maps(const oci::Spec& spec, bool privileged);

// The plan for a caller with no configuration (roost ns): real root gets the identity map written
// directly; anyone else is 0 and its sub-id ranges from `source` follow from 1, through the
// helpers, or a one-id map (setgroups denied) when there is no range or no helper.
IdMapPlan plan_caller_id_maps(SubIdSource source);

// newgidmap and newuidmap, when both are needed, run at the same time.
void write_id_maps(pid_t pid, const IdMapPlan& plan);

// Path of newuidmap/newgidmap if installed, else empty.
std::string find_helper(const std::string& name);

}  // namespace roost::idmap
