#include "engine/container_remove.hpp"

#include <signal.h>

#include <algorithm>

#include "ctr/network_store.hpp"
#include "ctr/volume_store.hpp"
#include "engine/container_context.hpp"
#include "engine/container_stop.hpp"
#include "monitor/exit_policy.hpp"
#include "monitor/user_network.hpp"
#include "store/userns_session.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/process.hpp"

namespace roost::engine {
namespace {

// roost-runtime's state of a container whose monitor died before its `delete`: removed (and any
// process of it killed) by the runtime itself.
void delete_runtime_leftovers(const ctr::ContainerStore& containers, const std::string& id) {
  const std::filesystem::path root = runtime_root(containers);
  if (!path_exists((root / id).string())) return;
  ProgramSpec spec;
  spec.argv = {helper_program("roost-runtime").string(), "--root", root.string(), "delete", "--force", id};
  spec.capture_stderr = true;
  spec.timeout_seconds = 30;
  const ProgramResult result = run_program(spec);
  if (!result.succeeded())
    throw Error("roost-runtime delete " + id + ": " + (result.error_output.empty() ? result.describe() : result.error_output));
}

// A container on a user-defined network whose monitor was killed still holds its lease, its veth
// in the rootless network namespace and a line in its neighbours' /etc/hosts (and so keeps the
// namespace's way out running): given back here, as its monitor would have at its end.
void leave_network_left_behind(const ctr::ContainerStore& containers, const ctr::ContainerConfig& config,
                               const std::string& id) {
  if (ctr::is_network_mode(config.network)) return;
  ctr::NetworkStore networks(containers.data_root(), containers.run_root());
  const std::vector<ctr::NetworkLease> leases = networks.leases(config.network);
  if (std::none_of(leases.begin(), leases.end(), [&](const ctr::NetworkLease& l) { return l.container_id == id; }))
    return;
  const ctr::ContainerPaths paths = containers.paths(id);
  monitor::disconnect_container(monitor::network_member(config.network, id, config.name, paths.bundle().string(),
                                                        paths.dir.string(), paths.run_dir.string()));
}

}  // namespace

void remove_container(ctr::ContainerStore& containers, const std::string& id, bool force, bool volumes) {
  // A start under way holds the container's lock until its monitor has answered: the state is
  // checked again under the lock, and a container that got started meanwhile is stopped first.
  for (int attempt = 0;; ++attempt) {
    const ctr::ContainerState state = current_state(containers, id);
    bool monitor_alive = process_alive(state.monitor_pid, state.monitor_start_time);
    if (monitor_alive && !is_active(state.status) && state.exit_code &&
        !monitor::should_restart(container_config(containers, id).restart, *state.exit_code, state.restart_count,
                                 state.stopped_by_user)) {
      // Exited for good: its monitor is finishing (the network down, the last output to attached
      // clients). `stop` then `rm` must work as podman's do: wait for it rather than call it running.
      monitor_alive = !wait_for_exit(state.monitor_pid, 5000);
    }
    if (is_active(state.status) || monitor_alive) {
      if (!force)
        throw ContainerRunningError("cannot remove container " + id +
                    " as it is running - running or paused containers cannot be removed without force: container state improper");
      if (is_active(state.status)) {
        stop_container(containers, id, 0, SIGKILL);
      } else {
        // Between two runs of a restart policy: the monitor stops and exits on SIGTERM.
        ::kill(state.monitor_pid, SIGTERM);
      }
    }
    // The monitor tears down the network and the runtime's container after the init exits; its
    // mount namespace (the rootfs mount) goes with it.
    const ctr::ContainerState after = containers.resolve(id) ? containers.state(id) : state;
    const int monitor = after.monitor_pid ? after.monitor_pid : state.monitor_pid;
    const uint64_t monitor_start = after.monitor_pid ? after.monitor_start_time : state.monitor_start_time;
    if (process_alive(monitor, monitor_start) && !wait_for_exit(monitor, 15000))
      throw Error("container " + id + ": its monitor (pid " + std::to_string(monitor) + ") did not exit after the container stopped");
    if (!containers.resolve(id)) return;  // --rm: its monitor removed it already

    store::enter_user_namespace();
    const ctr::ContainerConfig config = container_config(containers, id);
    {
      UniqueFd lock = containers.lock(id);
      const ctr::ContainerState now = current_state(containers, id);
      if (is_active(now.status) || process_alive(now.monitor_pid, now.monitor_start_time)) {
        if (attempt < 3) continue;
        throw Error("container " + id + " keeps being started: not removed");
      }
      delete_runtime_leftovers(containers, id);
      leave_network_left_behind(containers, config, id);
      containers.remove(id);
    }
    if (volumes) {
      // Only anonymous volumes (-v DST, the image's Volumes), as podman: named ones outlive their
      // containers; one another container still uses stays (remove refuses it).
      ctr::VolumeStore store(containers.data_root());
      for (const auto& m : config.mounts) {
        if (m.type != "volume") continue;
        const std::optional<ctr::VolumeInfo> volume = store.find(m.source);
        if (volume && volume->anonymous) store.remove(m.source, containers.volume_users(m.source));
      }
    }
    return;
  }
}

}  // namespace roost::engine
