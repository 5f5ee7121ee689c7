#include "ns/net/helper_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/process.hpp"

namespace roost::ns {
namespace {

long now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

// Between fork and exec: only async-signal-safe calls. Sources are first moved above every target
// number so that dup2 onto 3, 4, ... never overwrites a source still needed.
[[noreturn]] void exec_helper(const HelperSpec& spec, char* const* argv, int log_fd, pid_t parent, int exec_err_fd) {
  if (spec.detached) {
    ::setsid();  // no terminal's or process group's signals of the starter's
  } else {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(127);  // roost died before the prctl: nothing to serve
  }
  reset_signals();
  int null_fd = ::open("/dev/null", O_RDWR);
  ::dup2(null_fd, STDIN_FILENO);
  ::dup2(log_fd >= 0 ? log_fd : null_fd, STDOUT_FILENO);
  ::dup2(log_fd >= 0 ? log_fd : null_fd, STDERR_FILENO);
  const int base = 3 + static_cast<int>(spec.fds.size()) + 64;
  exec_err_fd = ::fcntl(exec_err_fd, F_DUPFD_CLOEXEC, base + 16);
  int moved[16];
  for (size_t i = 0; i < spec.fds.size() && i < 16; ++i) moved[i] = ::fcntl(spec.fds[i], F_DUPFD, base);
  for (size_t i = 0; i < spec.fds.size() && i < 16; ++i) ::dup2(moved[i], 3 + static_cast<int>(i));
  // Everything else (roost's own fds) is closed at exec; the error pipe is close-on-exec already.
  ::syscall(SYS_close_range, 3 + spec.fds.size(), ~0U, 4 /* CLOSE_RANGE_CLOEXEC */);
  ::execv(spec.path.c_str(), argv);
  int err = errno;
  (void)!::write(exec_err_fd, &err, sizeof err);
  _exit(127);
}

}  // namespace

HelperProcess::HelperProcess(const HelperSpec& spec) : name_(spec.name), log_path_(spec.log_path) {
  if (spec.fds.size() > 16) throw Error(spec.name + ": too many descriptors for the helper");
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  UniqueFd log;
  if (!spec.log_path.empty()) {
    log.reset(::open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!log) throw_errno("open " + spec.log_path);
  }
  int exec_pipe[2];
  if (::pipe2(exec_pipe, O_CLOEXEC) < 0) throw_errno("pipe");
  UniqueFd exec_read(exec_pipe[0]), exec_write(exec_pipe[1]);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork " + spec.name);
  if (pid == 0) exec_helper(spec, argv.data(), log.get(), parent, exec_write.get());
  pid_ = pid;
  pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  exec_write.reset();
  int err = 0;
  if (::read(exec_read.get(), &err, sizeof err) == sizeof err) {
    stop();
    throw SysError("exec " + spec.path, err);
  }
  if (!pidfd_) {
    stop();
    throw_errno("pidfd_open " + spec.name);
  }
}

HelperProcess::HelperProcess(HelperProcess&& other) noexcept
    : name_(std::move(other.name_)), log_path_(std::move(other.log_path_)), pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)) {}

HelperProcess& HelperProcess::operator=(HelperProcess&& other) noexcept {
  if (this != &other) {
    stop();
    name_ = std::move(other.name_);
    log_path_ = std::move(other.log_path_);
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
  }
  return *this;
}

void HelperProcess::fail(const std::string& what) {
  std::string line = last_log_line(log_path_);
  stop();
  throw Error(name_ + " " + what + (line.empty() ? "" : ": " + line));
}

void HelperProcess::wait_ready(int ready_fd, ReadyTest done, int timeout_ms) {
  std::string received;
  const long deadline = now_ms() + timeout_ms;
  for (;;) {
    struct pollfd fds[2] = {{ready_fd, POLLIN, 0}, {pidfd_.get(), POLLIN, 0}};
    int r = ::poll(fds, 2, static_cast<int>(std::max(0L, deadline - now_ms())));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw_errno("poll " + name_);
    if (r == 0) fail("did not get ready within " + std::to_string(timeout_ms / 1000) + " s");
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[64];
      ssize_t got = ::read(ready_fd, buf, sizeof buf);
      if (got < 0 && errno == EAGAIN) continue;
      if (got > 0) received.append(buf, static_cast<size_t>(got));
      if (done(received, got <= 0)) return;
      if (got <= 0) fail("exited before it was ready");
    } else if (fds[1].revents & POLLIN) {
      fail("exited before it was ready");
    }
  }
}

void HelperProcess::signal_stop() {
  if (pid_ > 0) ::kill(pid_, SIGTERM);
}

pid_t HelperProcess::release() {
  const pid_t pid = std::exchange(pid_, -1);
  pidfd_.reset();
  return pid;
}

void HelperProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (!wait_for_exit(pid_, 1000)) ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  pidfd_.reset();
}

std::string find_program(const std::string& program) {
  if (program.empty()) return {};
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0 ? program : std::string();
  const char* path = std::getenv("PATH");
  for (const std::string& dir : split(path ? path : "/usr/local/bin:/usr/bin:/bin", ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

std::string last_log_line(const std::string& path) {
  if (path.empty() || !path_exists(path)) return {};
  std::string text;
  try {
    text = read_file(path);
  } catch (const Error&) {
    return {};
  }
  std::string last;
  for (const std::string& line : split(text, '\n'))
    if (!line.empty() && line.find("to syslog") == std::string::npos) last = line;
  return last;
}

}  // namespace roost::ns
