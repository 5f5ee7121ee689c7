// Running OCI hooks: each gets the container state on stdin; a failure or a timeout is an error
// that names the hook and the phase.
#pragma once

#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace roost {

void run_hooks(const std::vector<oci::Hook>& hooks, const std::string& phase, const std::string& state_json);

}  // namespace roost
