// What the end of a container's init means: its exit code (podman's: 128+N for death by signal N),
// whether the OOM killer did it, and whether the restart policy starts it again (and after how
// long). Pure, except for reading the cgroup's memory.events.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "ctr/container.hpp"

namespace roost::monitor {

// WEXITSTATUS, or 128+N for death by signal N.
int exit_code_from_wait_status(int wait_status);

// "oom_kill N" of a cgroup v2 memory.events text; nullopt when the line is missing.
std::optional<uint64_t> parse_oom_kill_count(const std::string& memory_events);
// The container cgroup's oom_kill count now; nullopt without a cgroup or its file.
std::optional<uint64_t> read_oom_kill_count(const std::string& cgroup_dir);

// The container's own cgroup v2 directory, whose memory.events counts its OOM kills: from the
// init's and the monitor's /proc/PID/cgroup texts ("0::/path" lines, both seen from the
// monitor's cgroup namespace) and the v2 mount point. "" when the init is in the monitor's own
// cgroup (a runtime that could not make one leaves the container there: its OOM kills would be
// anyone's), has no v2 line, or there is no v2 mount.
std::string own_cgroup_dir(const std::string& init_proc_cgroup, const std::string& monitor_proc_cgroup,
                           const std::string& v2_mount);
// The same for a live init, read from /proc.
std::string container_cgroup_dir(pid_t init_pid);

// --restart: on-failure[:N] when the code is not 0 (N restarts at most, 0 = no limit), always and
// unless-stopped unless the user stopped or killed it; "no" never. restart_count is how many
// restarts there were so far.
bool should_restart(const ctr::RestartPolicy& policy, int exit_code, int restart_count, bool stopped_by_user);

// The pause before restart number restart_count+1: 100 ms doubling, at most 10 s, so a container
// that exits at once does not spin.
int restart_delay_ms(int restart_count);

// /proc/PID/stat field 22 (start time in clock ticks since boot), 0 when the process is gone:
// with the pid, it names one process even after the pid is reused.
uint64_t process_start_time(pid_t pid);

}  // namespace roost::monitor
