// The monitor's life: start the container, serve it, see it end (restarting it when the policy
// says), clean up. The event handlers are in monitor_events.cpp.
#include "monitor/monitor.hpp"

#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "ctr/container_store.hpp"
#include "ctr/network_store.hpp"
#include "monitor/exit_policy.hpp"
#include "sys/program_pages.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"

namespace roost::monitor {

namespace fs = std::filesystem;

Monitor::Monitor(MonitorConfig config, MonitorFds fds)
    : config_(std::move(config)),
      fds_(std::move(fds)),
      state_file_(config_.state_path, config_.lock_path),
      runtime_(config_.runtime, config_.runtime_root, config_.bundle, config_.id, config_.run_dir + "/init.pid"),
      hub_(loop_, AttachEvents{
                      [this](std::string_view data) { write_stdin(data); },
                      [this] { close_stdin(); },
                      [this](WindowSize size) { resize(size); },
                      [this](bool backlogged) { pause_output(backlogged); },
                  }) {}

Monitor::~Monitor() = default;

int Monitor::run() {
  try {
    state_ = state_file_.read();
  } catch (const Error&) {
    state_ = {};  // an unreadable state is replaced by what this start writes
  }
  state_.restart_count = 0;
  state_.stopped_by_user = false;
  state_.oom_killed = false;
  try {
    log_ = std::make_unique<K8sLogWriter>(config_.log_path);
    listen();
    network_ = std::make_unique<ContainerNetwork>(loop_, config_.network, config_.netns_path, config_.run_dir,
                                                  config_.ports, config_.network_options);
    if (!ctr::is_network_mode(config_.network))
      network_->set_user_network(network_member(config_.network, config_.id,
                                                 std::filesystem::path(config_.name_file).filename().string(),
                                                 config_.bundle, config_.data_dir, config_.run_dir));
    network_->up();
    state_.ports = network_->ports();
  } catch (const Error& e) {
    fail_start(e.what(), 125, true);
    return exit_status_;
  }
  loop_.add(fds_.signals.get(), EPOLLIN, [this](uint32_t) { on_signals(); });
  if (!start_container(true)) return exit_status_;
  serve();
  return exit_status_;
}

// The loop until finish(). An error that escapes one event's handler is logged and the loop goes
// on: the container keeps its monitor, and its clients still get their exit code at the end
// (before, the monitor ended there and a foreground `roost run` got no exit frame). A handler
// that fails every time it runs would spin: after 100 failures the monitor gives up as before.
void Monitor::serve() {
  for (int failures = 0; failures < 100; ++failures) {
    try {
      loop_.run();
      return;
    } catch (const std::exception& e) {
      log_error(e.what());
    }
    if (finished_) return;
  }
  log_error("too many errors: the monitor ends");
}

void Monitor::log_error(const std::string& what) const {
  const std::string line = "roost-monitor " + config_.id.substr(0, 12) + ": " + what + "\n";
  (void)!::write(2, line.data(), line.size());
}

void Monitor::listen() {
  CtlHandlers handlers{
      [this](UniqueFd sock, bool wants_stdin) { hub_.add(std::move(sock), wants_stdin); },
      [this](int signal) { return kill(signal); },
      [this](UniqueFd sock, int signal, int timeout) { stop(std::move(sock), signal, timeout); },
      [this](UniqueFd master) { return adopt_console(std::move(master)); },
  };
  ctl_ = std::make_unique<CtlServer>(loop_, config_.ctl_socket, std::move(handlers));
  adopt_first_client();
}

// fd 4 carries its attach request already (ctl_client's attach_pair): it is read here, before the
// container starts, so the client sees the first byte of output.
void Monitor::adopt_first_client() {
  if (!fds_.first_client) return;
  pollfd pfd{fds_.first_client.get(), POLLIN, 0};
  if (::poll(&pfd, 1, 1000) != 1) return ctl_->adopt(std::move(fds_.first_client));
  char buf[4096];
  const ssize_t n = ::recv(fds_.first_client.get(), buf, sizeof buf, MSG_DONTWAIT);
  if (n <= 0) return fds_.first_client.reset();
  try {
    const Request request = decode_request(std::string_view(buf, static_cast<size_t>(n)));
    if (request.op != Request::Op::Attach) throw Error("fd 4 is for attach only");
    if (request.window) window_ = request.window;
    hub_.add(std::move(fds_.first_client), request.attach_stdin);
  } catch (const Error& e) {
    send_reply(fds_.first_client.get(), Reply{e.what(), std::nullopt});
    fds_.first_client.reset();
  }
}

bool Monitor::start_container(bool first) {
  try {
    stdio_ = std::make_unique<ContainerStdio>(config_.tty, config_.stdin_open, config_.run_dir);
    ::unlink((config_.run_dir + "/init.pid").c_str());
    // One runtime process (run --detach) instead of two (create, start) unless a pty must get
    // its size between them (the master comes back from the create). A network helper still
    // getting ready is waited for while the runtime creates the container, behind its start
    // gate. Each process saved is an exec (~2.5-4 ms here) on every start.
    using Start = RuntimeRunner::Start;
    const Start how = config_.tty                                 ? Start::Later
                      : network_ && network_->finish_pending() ? Start::AfterReady
                                                                : Start::Too;
    init_pid_ = runtime_.create(stdio_->runtime_stdio(), how, [this] { network_->finish_up(); });
    stdio_->after_create();
    const bool one_step = how != Start::Later;
    if (!one_step) {
      // The network's helper got ready while the runtime created the container.
      if (network_) network_->finish_up();
      // The pty has the caller's size before the container's first process runs (a restart's new
      // pty, the last size a client sent).
      if (window_) resize(*window_);
    }
    // Where its OOM kills are counted: the cgroup the config names, else the init's own (none
    // when the runtime left it in ours). With one step the container already runs: a cgroup the
    // runtime took over (an empty one left at its path) keeps its old count, so it is read, and
    // an OOM kill in the first moments would go unseen.
    cgroup_dir_ = config_.cgroup_path.empty() ? container_cgroup_dir(init_pid_) : config_.cgroup_path;
    oom_kills_before_ = read_oom_kill_count(cgroup_dir_);
    watch_container();
    if (!one_step) runtime_.start();
  } catch (const Error& e) {
    fail_start(e.what(), start_failure_exit_code(e.what()), first);
    return false;
  }
  state_.status = ctr::Status::Running;
  state_.pid = init_pid_;
  state_.pid_start_time = process_start_time(init_pid_);
  state_.monitor_pid = ::getpid();
  state_.monitor_start_time = process_start_time(state_.monitor_pid);
  state_.started_at = now_rfc3339();
  state_.finished_at.clear();
  state_.exit_code.reset();
  state_.error.clear();
  try {
    state_file_.write(state_, /*starter_holds_lock=*/first);
  } catch (const Error& e) {
    // The container runs and is served all the same; only its record is stale.
    log_error(e.what());
  }
  if (first) {
    answer_start(StartReply{init_pid_, "", 0});
    settle_later();
  }
  return true;
}

void Monitor::answer_start(const StartReply& reply) {
  if (!fds_.start_pipe) return;
  const std::string line = encode_start_reply(reply);
  (void)!::write(fds_.start_pipe.get(), line.data(), line.size());
  fds_.start_pipe.reset();
}

// A start that failed: the runtime's state and any init go, the error is recorded and answered,
// and the monitor ends as after an exit (no restart: the command itself is wrong).
void Monitor::fail_start(const std::string& error, int exit_code, bool first) {
  if (init_pid_ > 0 || stdio_) {
    runtime_.delete_force();
    if (init_pid_ > 0) {
      int status;
      while (::waitpid(init_pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
    init_pid_ = 0;
  }
  for (int fd : {stdio_ ? stdio_->stdout_fd() : -1, stdio_ ? stdio_->stderr_fd() : -1})
    if (fd >= 0 && loop_.watching(fd)) loop_.remove(fd);
  stdio_.reset();
  state_.status = first ? ctr::Status::Created : ctr::Status::Exited;
  state_.pid = 0;
  state_.error = error;
  state_.exit_code = exit_code;
  if (!first) state_.finished_at = now_rfc3339();
  try {
    state_file_.write(state_, first);
  } catch (const Error&) {
    // The answer below still tells the engine why.
  }
  if (first) answer_start(StartReply{0, error, exit_code});
  exit_status_ = 1;
  finish(exit_code);
}

void Monitor::watch_container() {
  const int out = stdio_->stdout_fd(), err = stdio_->stderr_fd();
  loop_.add(out, EPOLLIN, [this, out](uint32_t events) {
    if ((events & EPOLLOUT) && stdio_ && out == stdio_->stdin_fd()) flush_stdin();
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_output(out, LogStream::Stdout);
  });
  if (err >= 0) loop_.add(err, EPOLLIN, [this, err](uint32_t) { on_output(err, LogStream::Stderr); });
  const int in = stdio_->stdin_fd();
  if (in >= 0 && in != out) loop_.add(in, 0, [this](uint32_t) { flush_stdin(); });
  if (output_paused_) pause_output(true);
  if (!stdin_queue_.empty() || stdin_close_pending_) flush_stdin();
}

void Monitor::on_init_exit(int wait_status) {
  init_pid_ = 0;
  cancel_timer(kill_timer_);
  drain_output();
  const int code = exit_code_from_wait_status(wait_status);
  auto oom_kills = read_oom_kill_count(cgroup_dir_);
  state_.oom_killed = oom_kills && oom_kills_before_ && *oom_kills > *oom_kills_before_;
  after_exit(code);
}

// What the container wrote before its end is read to the last byte (its pipes' write ends close
// when its last process does), for at most 2 s: a process that escaped the pid namespace's end
// (none should) cannot hold the monitor.
void Monitor::drain_output() {
  if (!stdio_) return;
  const long deadline_ms = 2000;
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    pollfd fds[2] = {{stdio_->stdout_fd(), POLLIN, 0}, {stdio_->stderr_fd(), POLLIN, 0}};
    if (fds[0].fd < 0 && fds[1].fd < 0) return;
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    const long left = deadline_ms - ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
    if (left <= 0 || ::poll(fds, 2, static_cast<int>(left)) <= 0) return;
    if (fds[0].revents) on_output(fds[0].fd, LogStream::Stdout);
    if (fds[1].revents) on_output(fds[1].fd, LogStream::Stderr);
  }
}

void Monitor::after_exit(int exit_code) {
  for (int fd : {stdio_ ? stdio_->stdout_fd() : -1, stdio_ ? stdio_->stderr_fd() : -1, stdio_ ? stdio_->stdin_fd() : -1})
    if (fd >= 0 && loop_.watching(fd)) loop_.remove(fd);
  stdio_.reset();
  stdin_queue_.clear();
  const bool restart = !stopping_ && should_restart(config_.restart, exit_code, state_.restart_count, state_.stopped_by_user);
  // A network not used again goes now: its helper exits (pasta's exit frees its tap device, an
  // RCU grace period; slirp4netns's is persistent and goes with the namespace) while the runtime
  // deletes the container and --rm removes it; finish() reaps it.
  if (!restart && network_) network_->begin_down();
  if (restart || !config_.auto_remove) {
    // Done before the state says exited: a `roost wait` or `stop` that then starts the container
    // again must find the runtime's container gone, or its create fails ("already exists").
    if (std::string error = runtime_.delete_force(); !error.empty()) log_error(error);
  } else {
    // --rm: the runtime's delete runs while the monitor removes the container (they share no
    // file: its state dir is run_root/runtime/<id>, and the id is never used again); finish()
    // waits for it before the stop waiters and the attached clients get the exit code.
    std::string error;
    deleting_ = runtime_.begin_delete(error);
    if (!error.empty()) log_error(error);
  }
  state_.status = ctr::Status::Exited;
  state_.pid = 0;
  state_.exit_code = exit_code;
  state_.finished_at = now_rfc3339();
  try {
    state_file_.write(state_);
  } catch (const std::exception&) {
    // Nothing to tell it to: the exit code still reaches attached clients.
  }
  if (!restart) return finish(exit_code);
  run_after(restart_timer_, restart_delay_ms(state_.restart_count), [this] {
    ++state_.restart_count;
    start_container(false);
  });
}

// Each step's failure is logged and the next runs: the attached clients' exit frame and the
// loop's end come whatever happened before them.
void Monitor::finish(int exit_code) {
  finished_ = true;
  ::unlink((config_.run_dir + "/init.pid").c_str());
  const auto step = [this](const char* what, const std::function<void()>& action) {
    try {
      action();
    } catch (const std::exception& e) {
      log_error(std::string(what) + ": " + e.what());
    }
  };
  // The namespace unbound before --rm removes the run dir; the helper reaped after it.
  if (network_) step("take the network down", [this] { network_->begin_down(); });
  if (config_.auto_remove) remove_container();
  if (network_) step("take the network down", [this] { network_->down(); });
  if (deleting_) {
    if (std::string error = runtime_.end_delete(*deleting_); !error.empty()) log_error(error);
    deleting_.reset();
  }
  // Stop waiters last but for the attached clients: what they were told is done is done.
  for (auto& waiter : stop_waiters_)
    if (waiter) send_reply(waiter.get(), Reply{"", exit_code});
  stop_waiters_.clear();
  hub_.finish(exit_code, 2000);
  ctl_.reset();
  loop_.stop();
}

// --rm: the rootfs is unmounted (it is mounted in this mount namespace only), then the record,
// its name and its run dir go as `roost rm` removes them (ctr::ContainerStore::remove: an fd walk
// that never follows a symlink; files of subuids are removable as the monitor is root of the
// user namespace).
void Monitor::remove_container() {
  ::umount2((config_.run_dir + "/rootfs").c_str(), MNT_DETACH);
  ctl_.reset();
  try {
    const fs::path data_root = fs::path(config_.data_dir).parent_path().parent_path();
    const fs::path run_root = fs::path(config_.run_dir).parent_path().parent_path();
    ctr::ContainerStore(data_root, run_root).remove(config_.id);
  } catch (const std::exception& e) {
    log_error(std::string("remove the container: ") + e.what());
  }
}

// From a second after the start the monitor mostly waits, for the container's whole life: the
// code that parsed its config and started the runtime need not stay mapped (it is page cache,
// shared by all monitors, and faults back in if it runs again). The resident set falls from
// ~1.2 MB to ~0.7 MB; an unmapped page is also one that reclaim can take back under pressure.
// After a second rather than at once: the runtime's start has been reaped by then, and what the
// loop touches while idle is all that comes back.
void Monitor::settle_later() {
  run_after(settle_timer_, 1000, [] { drop_clean_program_pages(); });
}

void Monitor::run_after(UniqueFd& timer, int ms, std::function<void()> then) {
  if (!timer) timer.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  if (!timer) throw_errno("create a timer");
  itimerspec spec{};
  spec.it_value.tv_sec = ms / 1000;
  spec.it_value.tv_nsec = (ms % 1000) * 1000000L + 1;  // never 0: that would disarm it
  if (::timerfd_settime(timer.get(), 0, &spec, nullptr) < 0) throw_errno("arm a timer");
  loop_.add(timer.get(), EPOLLIN, [this, &timer, then = std::move(then)](uint32_t) {
    cancel_timer(timer);
    then();
  });
}

void Monitor::cancel_timer(UniqueFd& timer) {
  if (!timer) return;
  loop_.remove(timer.get());
  timer.reset();
}

}  // namespace roost::monitor
