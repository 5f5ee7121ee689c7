// Compiled seccomp filters kept on disk, so that starting containers with a profile seen before
// does not pay for libseccomp again (building and exporting spec's default profile takes tens of
// milliseconds, more than the rest of a container start).
//
// One file per profile under the runtime's state root (seccomp-cache/), named by a hash of the
// key and holding the whole key: the profile as parsed (seccomp_profile_key), the libseccomp
// version, the architecture and the kernel release. A file is used only if it is a regular file owned by the
// caller, writable by nobody else, well-formed, and its key matches exactly; anything else is a
// miss, and the filter is compiled and the file rewritten (atomically).
#pragma once

#include <string>

#include "sys/seccomp.hpp"

namespace roost {

// The filter for `profile`, from the cache in `cache_dir` or compiled and stored there. Cache
// trouble never fails a container: the filter is then compiled as without a cache.
SeccompFilter compile_seccomp_cached(const oci::Seccomp& profile, const std::string& cache_dir);

// Every field of the parsed profile, each length-prefixed, in one string: what compile() reads, so
// equal texts compile to the same filter, and layout and ignored fields of config.json play no part.
// (Made from the model rather than by serialising the JSON again, which cost as much as parsing it.)
std::string seccomp_profile_key(const oci::Seccomp& profile);

}  // namespace roost
