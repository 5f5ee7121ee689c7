// POSIX resource limits by their OCI names ("RLIMIT_NOFILE").
#pragma once

#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace roost {

// The resource number, or throws roost::Error for an unknown name.
int rlimit_resource(const std::string& name);
// Throws for the first unknown name (called before the container starts).
void validate_rlimits(const std::vector<oci::Rlimit>& limits);
void apply_rlimits(const std::vector<oci::Rlimit>& limits);

}  // namespace roost
