// roost-monitor's work for one container (docs/ARCHITECTURE.md (roost's containers), "The
// processes"): the network, the runtime's create and start, the answer on the start pipe, then an
// event loop that logs and relays the container's output, serves ctl.sock and reaps; at the init's
// end: the exit code, state.json, the exit frame, the runtime's delete, the restart policy, and
// --rm.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ctr/container.hpp"
#include "monitor/attach_hub.hpp"
#include "monitor/container_network.hpp"
#include "monitor/container_stdio.hpp"
#include "monitor/ctl_server.hpp"
#include "monitor/k8s_log.hpp"
#include "monitor/monitor_config.hpp"
#include "monitor/runtime_runner.hpp"
#include "monitor/state_file.hpp"
#include "util/event_loop.hpp"
#include "util/unique_fd.hpp"

namespace roost::monitor {

// What main hands over: the process is already a session leader and subreaper, with every signal
// blocked and the ones the monitor acts on in `signals` (a signalfd).
struct MonitorFds {
  UniqueFd start_pipe;    // fd 3: one JSON line back (StartReply)
  UniqueFd first_client;  // fd 4: an attach connection made before the start, or invalid
  UniqueFd signals;
};

class Monitor {
 public:
  Monitor(MonitorConfig config, MonitorFds fds);
  ~Monitor();
  // Runs the container to its end; returns roost-monitor's exit status (0, or 1 when the
  // container could not be started).
  int run();

 private:
  // Phases, in order.
  void listen();
  void adopt_first_client();
  bool start_container(bool first);
  void serve();
  void answer_start(const StartReply& reply);
  void watch_container();
  void on_init_exit(int wait_status);
  void drain_output();
  void after_exit(int exit_code);
  void finish(int exit_code);
  void remove_container();

  // Events.
  void on_signals();
  void reap_children();
  void on_output(int fd, LogStream stream);
  void pause_output(bool paused);
  void write_stdin(std::string_view data);
  void flush_stdin();
  void close_stdin();
  void resize(WindowSize size);
  Reply kill(int signal);
  Reply adopt_console(UniqueFd master);
  void drain_console(int fd);
  void stop(UniqueFd client, int signal, int timeout_seconds);
  // One-shot timers (the stop's SIGKILL, a restart's back-off, the settle): `then` runs once, ms
  // from now, after the timer left the loop; cancel_timer takes one back before it fires.
  void run_after(UniqueFd& timer, int ms, std::function<void()> then);
  void cancel_timer(UniqueFd& timer);
  void settle_later();

  void fail_start(const std::string& error, int exit_code, bool first);
  // One line on the monitor's stderr (the engine points it at RUNROOT/monitor.log), naming the
  // container: what went wrong where nobody is waiting for an answer.
  void log_error(const std::string& what) const;

  MonitorConfig config_;
  MonitorFds fds_;
  EventLoop loop_;
  StateFile state_file_;
  ctr::ContainerState state_;
  RuntimeRunner runtime_;
  std::optional<RunningProgram> deleting_;  // the runtime's delete, begun at the init's exit
  std::unique_ptr<K8sLogWriter> log_;
  std::unique_ptr<ContainerNetwork> network_;
  std::unique_ptr<ContainerStdio> stdio_;
  AttachHub hub_;
  std::unique_ptr<CtlServer> ctl_;
  pid_t init_pid_ = 0;
  std::optional<uint64_t> oom_kills_before_;
  std::string cgroup_dir_;  // the container's own cgroup v2 directory, "" when it has none
  std::optional<WindowSize> window_;  // the last terminal size a client gave (-t)
  std::string stdin_queue_;        // bytes the container's stdin has not taken yet
  bool stdin_close_pending_ = false;
  bool output_paused_ = false;
  std::vector<UniqueFd> stop_waiters_;
  std::map<int, UniqueFd> exec_consoles_;  // detached exec -t sessions' pty masters, read and dropped
  UniqueFd kill_timer_, restart_timer_, settle_timer_;
  bool stopping_ = false;          // a stop or the monitor's SIGTERM: no restart, and SIGKILL is armed
  int exit_status_ = 0;
  bool finished_ = false;          // finish() has run: the loop ends, whatever else fails
};

}  // namespace roost::monitor
