#include "util/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace roost {
std::vector<char*> to_argv(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

namespace {

long now_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

bool ProgramResult::succeeded() const { return !timed_out && WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0; }

std::string ProgramResult::describe() const {
  if (timed_out) return "timed out";
  if (WIFEXITED(wait_status)) return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) return std::string("was killed by signal ") + strsignal(WTERMSIG(wait_status));
  return "ended";
}

pid_t fork_reporting(const std::function<void()>& work, UniqueFd& report, bool die_with_parent) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) throw_errno("create a pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    read_end.reset();
    if (die_with_parent) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    try {
      work();
      _exit(0);
    } catch (const std::exception& e) {
      const std::string msg = e.what();
      (void)!::write(write_end.get(), msg.data(), msg.size());
      _exit(1);
    }
  }
  report = std::move(read_end);
  return pid;
}

void run_forked(const std::function<void()>& work, const std::string& silent_failure, bool die_with_parent) {
  UniqueFd report;
  const pid_t pid = fork_reporting(work, report, die_with_parent);
  const std::string message = wait_reported(pid, report.get(), silent_failure);
  if (!message.empty()) throw Error(message);
}

std::string wait_reported(pid_t pid, int report_fd, const std::string& silent_failure) {
  std::string message = read_to_end(report_fd);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (message.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) message = silent_failure;
  return message;
}

bool wait_for_exit(pid_t pid, int timeout_ms) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) return errno == ESRCH;
  struct pollfd p = {pidfd.get(), POLLIN, 0};
  int r;
  while ((r = ::poll(&p, 1, timeout_ms)) < 0 && errno == EINTR) {
  }
  return r > 0;
}

// Descriptors the caller asked to preserve must exist, or a descriptor of ours could take the
// number and leak into the container: gaps are filled with /dev/null.
void fill_preserved_fd_gaps(int count) {
  for (int fd = 3; fd < 3 + count; ++fd) {
    if (::fcntl(fd, F_GETFD) >= 0) continue;
    int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0 && null_fd != fd) {
      ::dup2(null_fd, fd);
      ::close(null_fd);
    }
  }
}

void reset_signals() {
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  sigset_t all;
  sigemptyset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);
}

ProgramResult run_program(const ProgramSpec& spec) {
  RunningProgram program = start_program(spec);
  return wait_program(program);
}

RunningProgram start_program(const ProgramSpec& spec) {
  int in_pipe[2], err_pipe[2] = {-1, -1};
  if (::pipe2(in_pipe, O_CLOEXEC) < 0) throw_errno("pipe");
  UniqueFd in_read(in_pipe[0]), in_write(in_pipe[1]);
  if (spec.capture_stderr && ::pipe2(err_pipe, O_CLOEXEC) < 0) throw_errno("pipe");
  UniqueFd err_read(err_pipe[0]), err_write(err_pipe[1]);
  auto argv = to_argv(spec.argv);
  std::vector<char*> envp;
  if (spec.env) envp = to_argv(*spec.env);
  const char* path = spec.path.empty() ? spec.argv.at(0).c_str() : spec.path.c_str();

  // Closed by a successful exec; otherwise the child writes its errno into it.
  int exec_pipe[2];
  if (::pipe2(exec_pipe, O_CLOEXEC) < 0) throw_errno("pipe");
  UniqueFd exec_read(exec_pipe[0]), exec_write(exec_pipe[1]);

  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    reset_signals();
    ::dup2(in_read.get(), STDIN_FILENO);
    if (err_write) ::dup2(err_write.get(), STDERR_FILENO);
    if (spec.stdout_fd >= 0) ::dup2(spec.stdout_fd, STDOUT_FILENO);
    if (spec.env)
      ::execvpe(path, argv.data(), envp.data());
    else
      ::execvp(path, argv.data());
    int err = errno;
    (void)!::write(exec_write.get(), &err, sizeof err);
    _exit(127);
  }
  exec_write.reset();
  int exec_errno = 0;
  if (::read(exec_read.get(), &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    throw SysError(std::string("exec ") + path, exec_errno);
  }
  in_read.reset();
  err_write.reset();
  // The program may not read its input; a short write is not an error, SIGPIPE is ignored by main.
  if (!spec.input.empty()) (void)!::write(in_write.get(), spec.input.data(), spec.input.size());
  in_write.reset();

  RunningProgram program;
  program.pid = pid;
  program.pidfd = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  program.err_read = std::move(err_read);
  program.timeout_seconds = spec.timeout_seconds;
  program.started_ms = now_ms();
  return program;
}

ProgramResult wait_program(RunningProgram& program) {
  ProgramResult result;
  const pid_t pid = program.pid;
  UniqueFd& pidfd = program.pidfd;
  UniqueFd& err_read = program.err_read;
  const long deadline = program.timeout_seconds > 0 ? program.started_ms + program.timeout_seconds * 1000L : -1;
  for (;;) {
    struct pollfd fds[2];
    int n = 0;
    fds[n++] = {pidfd.get(), POLLIN, 0};
    if (err_read) fds[n++] = {err_read.get(), POLLIN, 0};
    int wait_ms = deadline < 0 ? -1 : static_cast<int>(std::max(0L, deadline - now_ms()));
    int r = ::poll(fds, n, wait_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    if (n > 1 && (fds[1].revents & (POLLIN | POLLHUP))) {
      char buf[1024];
      ssize_t got = ::read(err_read.get(), buf, sizeof buf);
      if (got > 0 && result.error_output.size() < 4096) result.error_output.append(buf, static_cast<size_t>(got));
      if (got <= 0) err_read.reset();
    }
    if (fds[0].revents & POLLIN) break;
  }
  while (::waitpid(pid, &result.wait_status, 0) < 0 && errno == EINTR) {
  }
  while (!result.error_output.empty() && (result.error_output.back() == '\n' || result.error_output.back() == ' '))
    result.error_output.pop_back();
  return result;
}

}  // namespace roost
