#include "sys/pause_process.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <vector>

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::sys {
namespace {

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

int pidfd_send_signal(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

void write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// The pause process's whole life. It reports "ok PID" (or "error: ...") on `report`, then keeps
// nothing of its parent's: no fd (a test's output pipe held open would hang its reader), no
// controlling terminal, no working directory on some mount.
[[noreturn]] void pause_main(int report) {
  ::setsid();
  // Only SIGKILL and SIGTERM end it: a stray ^C, SIGHUP or SIGPIPE meant for the command that
  // started it must not take every container's namespace with it.
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP && sig != SIGTERM) ::signal(sig, SIG_IGN);
  ::signal(SIGTERM, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (::unshare(CLONE_NEWNET) < 0) {
    write_all(report, std::string("error: unshare a network namespace: ") + errno_name(errno));
    ::_exit(1);
  }
  (void)!::chdir("/");
  ::prctl(PR_SET_NAME, "roost-pause", 0, 0, 0);
  write_all(report, "ok " + std::to_string(::getpid()));
  ::close_range(0, ~0U, 0);
  const int null = ::open("/dev/null", O_RDWR);
  if (null == 0) {
    ::dup2(0, 1);
    ::dup2(0, 2);
  }
  for (;;) ::pause();
}

}  // namespace

namespace {

// The number at [p, end): where it stops, or nullptr when there is none. (No sscanf: scanf's
// machinery would be linked into the static monitor, which uses this file.)
template <typename T>
const char* parse_leading(const char* p, const char* end, T& value) {
  auto [stop, ec] = std::from_chars(p, end, value);
  return ec == std::errc() ? stop : nullptr;
}

// /proc/PID/stat's fields from field 3 (state) on; empty when the process has gone.
std::vector<std::string> stat_fields(pid_t pid) {
  std::string stat;
  try {
    stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  } catch (const Error&) {
    return {};
  }
  // The command name may hold spaces and parentheses: fields are counted after the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 > stat.size()) return {};
  auto fields = split(stat.substr(close + 2), ' ');
  if (fields.size() < 20) return {};
  return fields;
}

}  // namespace

uint64_t process_start_time(pid_t pid) {
  const auto fields = stat_fields(pid);
  // fields[0] is field 3 (state); starttime is field 22.
  return fields.empty() ? 0 : std::strtoull(fields[19].c_str(), nullptr, 10);
}

PauseProcess start_pause_process() {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) < 0) throw_errno("pipe for the pause process");
  UniqueFd report_read(pipe_fds[0]), report_write(pipe_fds[1]);
  // Two forks, so that the pause process is nobody's child here: a `roost unshare` shell that
  // the first command becomes must not see it in its jobs, nor a zombie of it.
  const pid_t middle = ::fork();
  if (middle < 0) throw_errno("fork the pause process");
  if (middle == 0) {
    report_read.reset();
    const pid_t pause = ::fork();
    if (pause < 0) {
      write_all(report_write.get(), std::string("error: fork: ") + errno_name(errno));
      ::_exit(1);
    }
    if (pause == 0) pause_main(report_write.get());
    ::_exit(0);
  }
  report_write.reset();
  int status = 0;
  while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
  }
  const std::string message = read_to_end(report_read.get());
  int pid = 0;
  if (!starts_with(message, "ok ") || !parse_leading(message.data() + 3, message.data() + message.size(), pid) || pid <= 0)
    throw Error("start the pause process: " + (message.empty() ? std::string("it died before it was ready") : message));
  PauseProcess pause;
  pause.pid = pid;
  pause.pidfd.reset(pidfd_open(pid));
  if (!pause.pidfd) throw_errno("pidfd_open the pause process " + std::to_string(pid));
  return pause;
}

void write_pause_pid_file(const std::string& path, const PauseProcess& pause) {
  const uint64_t start = process_start_time(pause.pid);
  if (start == 0) throw Error("the pause process " + std::to_string(pause.pid) + " died at once");
  write_file_atomic(path, std::to_string(pause.pid) + " " + std::to_string(start) + "\n", 0600);
}

std::optional<PauseProcess> open_pause_process(const std::string& pid_file) {
  std::string text;
  try {
    text = read_file(pid_file);
  } catch (const Error&) {
    return std::nullopt;
  }
  int pid = 0;
  unsigned long long start = 0;
  const char* end = text.data() + text.size();
  const char* p = parse_leading(text.data(), end, pid);
  if (p == nullptr || p == end || *p != ' ' || !parse_leading(p + 1, end, start) || pid <= 0 || start == 0)
    return std::nullopt;
  PauseProcess pause;
  pause.pid = pid;
  pause.pidfd.reset(pidfd_open(pid));
  if (!pause.pidfd) return std::nullopt;
  // The pidfd is whatever process had the pid when it was opened: that one is ours only if its
  // start time is the one written.
  const auto fields = stat_fields(pid);
  if (fields.empty() || std::strtoull(fields[19].c_str(), nullptr, 10) != start) return std::nullopt;
  // A zombie (killed, not yet reaped by whoever inherited it) has no namespaces left to join.
  if (fields[0] == "Z" || fields[0] == "X") return std::nullopt;
  UniqueFd userns(::open(("/proc/" + std::to_string(pid) + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
  if (!userns) return std::nullopt;
  // Still alive now: the namespace file opened above was its own.
  if (pidfd_send_signal(pause.pidfd.get(), 0) < 0) return std::nullopt;
  uid_t owner = 0;
  if (::ioctl(userns.get(), NS_GET_OWNER_UID, &owner) < 0 || owner != ::geteuid()) return std::nullopt;
  return pause;
}

bool kill_pause_process(const PauseProcess& pause, int timeout_ms) {
  if (pidfd_send_signal(pause.pidfd.get(), SIGKILL) < 0) return errno == ESRCH;
  struct pollfd p = {pause.pidfd.get(), POLLIN, 0};
  int n;
  while ((n = ::poll(&p, 1, timeout_ms)) < 0 && errno == EINTR) {
  }
  return n == 1;
}

}  // namespace roost::sys
