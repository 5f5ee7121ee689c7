// The monitor's event handlers: signals and reaping, the container's output and stdin, and the
// control operations (kill, stop, resize).
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "monitor/monitor.hpp"
#include "sys/signals.hpp"
#include "util/file.hpp"

namespace roost::monitor {

namespace {

// Stdin the container has not read yet is kept up to this much; more is dropped (a client that
// pours input into a container that does not read it).
constexpr size_t kStdinQueueLimit = 4 << 20;

}  // namespace

void Monitor::on_signals() {
  signalfd_siginfo info;
  while (::read(fds_.signals.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    const int sig = static_cast<int>(info.ssi_signo);
    if (sig == SIGCHLD) {
      reap_children();
    } else if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
      // The monitor is asked to go: the container is stopped as `roost stop` would, then it exits.
      stop(UniqueFd(), parse_signal(config_.stop_signal), config_.stop_timeout);
    }
  }
}

// The init (our child once the runtime that made it has exited: we are a subreaper), and any
// other orphan that comes to us. The network's helpers are left to their owners, which wait for
// them.
void Monitor::reap_children() {
  if (init_pid_ > 0) {
    int status = 0;
    const pid_t got = ::waitpid(init_pid_, &status, WNOHANG);
    if (got == init_pid_) on_init_exit(status);
  }
  const std::vector<pid_t> helpers = network_ ? network_->helper_pids() : std::vector<pid_t>{};
  for (;;) {
    siginfo_t info{};
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 || info.si_pid == 0) return;
    if (std::find(helpers.begin(), helpers.end(), info.si_pid) != helpers.end()) return;
    if (info.si_pid == init_pid_) {
      int status = 0;
      ::waitpid(init_pid_, &status, 0);
      on_init_exit(status);
      continue;
    }
    ::waitpid(info.si_pid, nullptr, WNOHANG);
  }
}

void Monitor::on_output(int fd, LogStream stream) {
  char buf[16384];
  ssize_t n;
  do {
    n = ::read(fd, buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN) return;
  if (n <= 0) {  // EOF, or EIO from a pty whose last holder has gone
    if (loop_.watching(fd)) loop_.remove(fd);
    if (stdio_) stream == LogStream::Stdout ? stdio_->drop_stdout() : stdio_->drop_stderr();
    return;
  }
  const std::string_view chunk(buf, static_cast<size_t>(n));
  try {
    log_->write(stream, chunk);
  } catch (const Error&) {
    // A full disk must not stop the container or its attached clients: the log misses this chunk.
  }
  hub_.output(stream == LogStream::Stdout ? FrameKind::Stdout : FrameKind::Stderr, chunk);
}

void Monitor::pause_output(bool paused) {
  output_paused_ = paused;
  if (!stdio_) return;
  const int out = stdio_->stdout_fd(), err = stdio_->stderr_fd();
  const bool stdin_waits = !stdin_queue_.empty() && out == stdio_->stdin_fd();
  const uint32_t events = (paused ? 0u : uint32_t{EPOLLIN}) | (stdin_waits ? uint32_t{EPOLLOUT} : 0u);
  if (out >= 0 && loop_.watching(out)) loop_.modify(out, events);
  if (err >= 0 && loop_.watching(err)) loop_.modify(err, paused ? 0u : uint32_t{EPOLLIN});
}

void Monitor::write_stdin(std::string_view data) {
  if (stdin_close_pending_ || stdin_queue_.size() + data.size() > kStdinQueueLimit) return;
  stdin_queue_.append(data);
  flush_stdin();
}

void Monitor::flush_stdin() {
  if (!stdio_ || stdio_->stdin_fd() < 0) return;  // between restarts, or no stdin: kept for the next
  const int fd = stdio_->stdin_fd();
  while (!stdin_queue_.empty()) {
    ssize_t n = ::write(fd, stdin_queue_.data(), stdin_queue_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n < 0) {  // the container closed its stdin: nothing more will be read
      stdin_queue_.clear();
      break;
    }
    stdin_queue_.erase(0, static_cast<size_t>(n));
  }
  const bool shared = fd == stdio_->stdout_fd();  // a pty: one fd for both ways
  const uint32_t wanted = (stdin_queue_.empty() ? 0u : uint32_t{EPOLLOUT}) |
                          (shared && !output_paused_ ? uint32_t{EPOLLIN} : 0u);
  if (loop_.watching(fd)) loop_.modify(fd, wanted);
  if (stdin_queue_.empty() && stdin_close_pending_) {
    if (!shared && loop_.watching(fd)) loop_.remove(fd);
    stdio_->close_stdin();
  }
}

void Monitor::close_stdin() {
  stdin_close_pending_ = true;
  flush_stdin();
}

void Monitor::resize(WindowSize size) {
  window_ = size;
  if (!stdio_ || !stdio_->tty() || stdio_->master() < 0) return;
  winsize ws{};
  ws.ws_row = size.rows;
  ws.ws_col = size.cols;
  ::ioctl(stdio_->master(), TIOCSWINSZ, &ws);
}

Reply Monitor::kill(int signal) {
  if (init_pid_ <= 0) return Reply{"container " + config_.id + " is not running", std::nullopt};
  state_.stopped_by_user = true;
  if (::kill(init_pid_, signal) < 0) return Reply{std::string("kill the container's init: ") + std::strerror(errno), std::nullopt};
  return Reply{};
}

Reply Monitor::adopt_console(UniqueFd master) {
  if (init_pid_ <= 0) return Reply{"container " + config_.id + " is not running", std::nullopt};
  if (!set_nonblocking(master.get()))
    return Reply{std::string("make the terminal nonblocking: ") + std::strerror(errno), std::nullopt};
  const int fd = master.get();
  exec_consoles_[fd] = std::move(master);
  loop_.add(fd, EPOLLIN, [this, fd](uint32_t) { drain_console(fd); });
  return Reply{};
}

// Reads what the session wrote and drops it, one read per wake-up as on_output does (a session
// that writes without pause must not hold the loop from the container and its clients); at the
// end (EIO: every process of the session has closed the terminal) lets the master go.
void Monitor::drain_console(int fd) {
  char buf[16384];
  ssize_t n;
  do {
    n = ::read(fd, buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  if (n > 0 || (n < 0 && errno == EAGAIN)) return;
  loop_.remove(fd);
  exec_consoles_.erase(fd);
}

void Monitor::stop(UniqueFd client, int signal, int timeout_seconds) {
  stop_waiters_.push_back(std::move(client));
  state_.stopped_by_user = true;
  if (init_pid_ <= 0) {
    // Between an exit and its restart: the restart is called off.
    if (restart_timer_) {
      loop_.remove(restart_timer_.get());
      restart_timer_.reset();
      stopping_ = true;
      try {
        state_file_.write(state_);
      } catch (const Error&) {
      }
      finish(state_.exit_code.value_or(0));
    }
    return;
  }
  if (stopping_) return;  // already on its way: this client waits with the others
  stopping_ = true;
  ::kill(init_pid_, signal);
  if (timeout_seconds == 0) {
    ::kill(init_pid_, SIGKILL);
    return;
  }
  run_after(kill_timer_, timeout_seconds * 1000, [this] {
    if (init_pid_ > 0) ::kill(init_pid_, SIGKILL);
  });
}

}  // namespace roost::monitor
