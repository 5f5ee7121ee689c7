// Compiled seccomp filters kept on disk, so that starting containers with a profile seen before
// does not pay for libseccomp again (building and exporting spec's default profile takes tens of
// milliseconds, more than the rest of a container start).
//
// One file per profile under the runtime's state root (seccomp-cache/), named by a hash of the
// key and holding the whole key: the profile as parsed (seccomp_profile_key) or its JSON text,
// the libseccomp version, the architecture and the kernel release. A file is used only if it is a
// regular file owned by the caller, writable by nobody else, well-formed, and its key matches
// exactly; anything else is a miss, and the filter is compiled and the file rewritten (atomically).
#pragma once

#include <optional>
#include <string>

#include "sys/seccomp.hpp"

namespace roost {

// The filter for `profile`, from the cache in `cache_dir` or compiled and stored there. Cache
// trouble never fails a container: the filter is then compiled as without a cache.
SeccompFilter compile_seccomp_cached(const oci::Seccomp& profile, const std::string& cache_dir);

// The same for linux.seccomp's text as parse_spec deferred it (oci::Linux::seccomp_json): the
// text itself is the key, so a hit parses nothing (the profile is most of a config.json, its
// parse most of a start's user-space instructions); a miss parses and checks it
// (oci::parse_seccomp_json, the errors parse_spec gives) and compiles.
SeccompFilter compile_seccomp_cached_json(const std::string& seccomp_json, const std::string& cache_dir);

// The config's filter whichever way parse_spec left linux.seccomp (parsed, or as text); nullopt
// when it has none.
std::optional<SeccompFilter> compile_seccomp_cached(const oci::Linux& lx, const std::string& cache_dir);

// Every field of the parsed profile, each length-prefixed, in one string: what compile() reads, so
// equal texts compile to the same filter, and layout and ignored fields of config.json play no part.
// (Made from the model rather than by serialising the JSON again, which cost as much as parsing it.)
std::string seccomp_profile_key(const oci::Seccomp& profile);

}  // namespace roost
