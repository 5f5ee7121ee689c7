// Planning a user namespace's id maps: what to map, whether the set is valid, and how to write it
// (straight into /proc/PID/uid_map, or through the setuid newuidmap/newgidmap helpers).
#pragma once

#include <string>
#include <vector>

#include "idmap/subid.hpp"
#include "oci/spec.hpp"

namespace roost::idmap {

using Mappings = std::vector<oci::IdMapping>;

// Root in the container is host_id; container ids 1.. follow through the ranges in order.
Mappings rootless_mappings(uint32_t host_id, const std::vector<SubIdRange>& ranges);

// Throws roost::Error if two entries overlap on either side, a range wraps, or there are too many
// entries for the kernel (340). `kind` is "uid" or "gid" for the message.
void validate(const Mappings& maps, const std::string& kind);

// Throws roost::Error if an unprivileged caller (own id `self`, sub-id ranges `ranges`) could not be
// granted these host ids by newuidmap: the error names the first host id that is out of reach.
void check_reachable(const Mappings& maps, uint32_t self, const std::vector<SubIdRange>& ranges,
                     const std::string& kind);

// True when the maps can be written without a helper by an unprivileged process: one id, its own.
bool is_self_only(const Mappings& maps, uint32_t self);

// The container id that maps host id `host`... and the reverse; false if not mapped.
bool to_host(const Mappings& maps, uint32_t container_id, uint32_t& host_id);

// "containerID hostID size\n" lines, the /proc/PID/uid_map format.
std::string format_proc_map(const Mappings& maps);
// The reverse, for what the kernel shows in /proc/PID/uid_map (columns aligned with spaces); reading
// stops at the first line that is not three numbers.
Mappings parse_proc_map(const std::string& text);

// argv for newuidmap/newgidmap: helper, pid, then the triples.
std::vector<std::string> helper_argv(const std::string& helper, pid_t pid, const Mappings& maps);

}  // namespace roost::idmap
