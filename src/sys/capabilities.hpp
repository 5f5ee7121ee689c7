// Linux capabilities by name (libcap), and applying an OCI capability set to the calling process.
#pragma once

#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace roost {

// "CAP_CHOWN", ... for every capability the running kernel and libcap know.
std::vector<std::string> capability_names();

// Throws roost::Error naming the first unknown capability in any of the five sets.
void validate_capabilities(const oci::Capabilities& caps);

// Step 1 (while still privileged): drop from the bounding set everything not listed.
void drop_bounding_set(const oci::Capabilities& caps);
// Step 2 (after the uid change, with PR_SET_KEEPCAPS): set effective, permitted and inheritable,
// then raise the ambient set. With keep_sys_admin, CAP_SYS_ADMIN stays in effective and permitted
// too when the process holds it: a seccomp filter loaded without no_new_privs needs it as the last
// step before execve. It never reaches the program that way: execve computes the new program's
// sets from inheritable, ambient and bounding (and the file), never from effective or permitted.
void apply_process_capabilities(const oci::Capabilities& caps, bool keep_sys_admin = false);
// Without configured capabilities: CAP_SYS_ADMIN into the effective set, if it is permitted (a
// uid change to non-zero empties the effective set); for the same filter, with the same reason.
void raise_sys_admin();

}  // namespace roost
