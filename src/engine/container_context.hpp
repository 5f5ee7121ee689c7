// What the container operations share: the container store opened from --root/--runroot (without
// entering any namespace: ps, logs and inspect must stay cheap), roost-runtime and roost-monitor
// found beside this program, joining a running container's user namespace, and the truth of a
// container's status from the liveness of its monitor and init rather than from a state file that
// may be stale (a monitor killed with -9, a reboot that emptied XDG_RUNTIME_DIR).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "ctr/container.hpp"
#include "ctr/container_store.hpp"
#include "engine/context.hpp"

namespace roost::engine {

// The container store at the paths --root/--runroot (or the defaults) name. No namespace entered.
ctr::ContainerStore open_containers(const GlobalOptions& global);

// A program installed beside this one (/proc/self/exe's directory): "roost-runtime",
// "roost-monitor". roost::Error naming the path when it is missing.
std::filesystem::path helper_program(const std::string& name);

// The record as the container sees it: a container created without --hostname is named by its
// short id (podman's default), which only exists once the store has given it an id.
ctr::ContainerConfig effective_config(ctr::ContainerConfig config);
// containers.config(id), through effective_config.
ctr::ContainerConfig container_config(const ctr::ContainerStore& containers, const std::string& id);

// roost-runtime's --root for the engine's containers: run_root/runtime.
std::filesystem::path runtime_root(const ctr::ContainerStore& containers);

// The id of the container `name_or_id` names; podman's words when none does
// ("no container with name or ID \"x\" found: no such container").
std::string require_container(const ctr::ContainerStore& containers, const std::string& name_or_id);

// /proc/PID/stat's start time (field 22), nullopt when there is no such process.
std::optional<uint64_t> process_start_time(int pid);
// True when pid is the very process that started at start_time (a reused pid is not it). A
// start_time of 0 (unknown) trusts the pid alone.
bool process_alive(int pid, uint64_t start_time);

// Pure: what a recorded state really is, given whether its monitor and its init still live. A
// container recorded running (or stopping, paused) whose monitor and init are both gone is
// exited: killed monitor, reboot, logout. Its exit code is unknown then (-1, as podman has it)
// unless one was recorded, and the error says what happened. Anything else is as recorded.
ctr::ContainerState truthful_state(ctr::ContainerState recorded, bool monitor_alive, bool init_alive,
                                   const std::string& now_rfc3339);

// The container's state as truthful_state decides it from /proc; a corrected state is written
// back when the container's lock is free at once (never waited for: ps must not block).
ctr::ContainerState current_state(const ctr::ContainerStore& containers, const std::string& id);
// The same from a state already read (ps reads every record once).
ctr::ContainerState current_state(const ctr::ContainerStore& containers, const std::string& id,
                                  const ctr::ContainerState& recorded);

// The exit code podman gives a runtime's error text (its start or exec failed): 127 for "not
// found" and "no such file or directory", 126 for "permission denied", else 125 (roost's own).
int runtime_error_exit_code(const std::string& error);

// True for the statuses in which a container has a live init (running, paused, stopping).
bool is_active(ctr::Status status);

// Joins the user namespace that owns pid's process (setns on /proc/PID/ns/user) as its root,
// unless this process is already in it, and records it in ROOST_USERNS_PID so that the store's
// session (store/userns_session) uses it instead of making another. Must run single-threaded.
void join_user_namespace_of(int pid);

}  // namespace roost::engine
