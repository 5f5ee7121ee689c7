#include "engine/container_stop.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "engine/container_context.hpp"
#include "monitor/ctl_client.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"
#include "util/process.hpp"
#include "sys/signals.hpp"

namespace roost::engine {
namespace {

bool monitor_gone(const SysError& e) { return e.err() == ENOENT || e.err() == ECONNREFUSED; }

// Signals pid from inside its user namespace: a forked child joins it (the caller may be in
// another one already, or must stay out of it) and kill(2)s. True when the signal was sent.
bool signal_in_its_namespace(int pid, int signal) {
  const pid_t child = ::fork();
  if (child < 0) throw_errno("fork to signal the container");
  if (child == 0) {
    try {
      join_user_namespace_of(pid);
    } catch (...) {
      ::_exit(2);
    }
    ::_exit(::kill(pid, signal) == 0 ? 0 : 1);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// The monitor is gone: stop the init ourselves and write down that it exited.
int stop_without_monitor(ctr::ContainerStore& containers, const std::string& id, const ctr::ContainerState& state,
                         int signal, int timeout) {
  int used = signal;
  if (process_alive(state.pid, state.pid_start_time)) {
    signal_in_its_namespace(state.pid, signal);
    if (!wait_for_exit(state.pid, timeout * 1000)) {
      used = SIGKILL;
      signal_in_its_namespace(state.pid, SIGKILL);
      wait_for_exit(state.pid, 5000);
    }
  }
  UniqueFd lock = containers.lock(id);
  ctr::ContainerState now = containers.state(id);
  now.status = ctr::Status::Exited;
  now.exit_code = 128 + used;  // not our child: its status is not ours to read; the signal is what we know
  now.finished_at = now_rfc3339();
  now.stopped_by_user = true;
  now.pid = now.monitor_pid = 0;
  now.pid_start_time = now.monitor_start_time = 0;
  now.error = "the container's monitor was gone; roost signalled the container itself";
  containers.write_state(id, now);
  return *now.exit_code;
}

}  // namespace

std::optional<int> stop_container(ctr::ContainerStore& containers, const std::string& id, std::optional<int> timeout,
                                  std::optional<int> signal) {
  const ctr::ContainerConfig config = container_config(containers, id);
  const ctr::ContainerState state = current_state(containers, id);
  const int sig = signal.value_or(parse_signal(config.stop_signal));
  const int secs = timeout.value_or(config.stop_timeout);
  const bool active = is_active(state.status);
  // Exited, but its monitor lives on: a restart policy's back-off before the next start. The
  // stop calls that restart off (as podman's does), or the container would come back.
  const bool restart_pending = !active && state.monitor_pid > 0 && process_alive(state.monitor_pid, state.monitor_start_time);
  if (!active && !restart_pending) return std::nullopt;
  try {
    const int code = monitor::stop(containers.paths(id).ctl_socket().string(), sig, secs);
    if (active) return code;
  } catch (const SysError& e) {
    if (!monitor_gone(e)) throw;
  }
  if (!active) return std::nullopt;
  return stop_without_monitor(containers, id, state, sig, secs);
}

void kill_container(ctr::ContainerStore& containers, const std::string& id, int signal) {
  const ctr::ContainerState state = current_state(containers, id);
  if (state.status != ctr::Status::Running && state.status != ctr::Status::Paused)
    throw Error("can only kill running containers. " + id + " is in state " + ctr::status_name(state.status) +
                ": container state improper");
  try {
    monitor::kill(containers.paths(id).ctl_socket().string(), signal);
    return;
  } catch (const SysError& e) {
    if (!monitor_gone(e)) throw;
  }
  if (!signal_in_its_namespace(state.pid, signal)) throw Error("signal the container's process " + std::to_string(state.pid) + ": it is gone");
  if (signal == SIGKILL) {
    wait_for_exit(state.pid, 5000);
    stop_without_monitor(containers, id, state, SIGKILL, 0);
  }
}

int wait_container(const ctr::ContainerStore& containers, const std::string& id) {
  // The monitor writes state.json by renaming a new file into the container's directory: an
  // inotify watch on that directory wakes the wait at once. The watch is made before the first
  // read, so a write between a read and the sleep is not missed; a timeout re-reads anyway (a
  // monitor gone without writing: current_state then judges by liveness).
  UniqueFd watch(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (watch) ::inotify_add_watch(watch.get(), containers.paths(id).dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF);
  for (;;) {
    const ctr::ContainerState state = current_state(containers, id);
    // As podman: a created container is waited for until it has run and exited.
    if (state.status == ctr::Status::Exited) return state.exit_code.value_or(0);
    if (!watch) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    pollfd pfd{watch.get(), POLLIN, 0};
    if (::poll(&pfd, 1, 1000) > 0) {
      char events[4096];
      while (::read(watch.get(), events, sizeof events) > 0) {
      }
    }
  }
}

}  // namespace roost::engine
