// A container's runtime-spec status, derived from its state record and the live system rather than
// stored, so that it is never stale: the init process alive and the exec fifo present means
// "created", alive without the fifo "running" (or "paused" while its cgroup is frozen), gone
// "stopped".
#pragma once

#include <string>

#include "container/state_store.hpp"

namespace roost {

enum class Status { Creating, Created, Running, Paused, Stopped };

const char* status_name(Status s);
Status container_status(const StateRecord& record, const std::string& dir);
bool process_alive(const StateRecord& record);

// The runtime-spec state document: ociVersion, id, status, pid, bundle, annotations (plus rootfs,
// created and owner, as runc prints).
std::string state_json(const StateRecord& record, Status status, int indent = 2);

}  // namespace roost
