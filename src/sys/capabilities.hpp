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
// then raise the ambient set.
void apply_process_capabilities(const oci::Capabilities& caps);

}  // namespace roost
