// roost-monitor MONITOR_JSON: one container's monitor (docs/ARCHITECTURE.md (roost's containers),
// "The processes"). fd 3 is the start pipe (one JSON line back), fd 4 optionally a first attach
// connection.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "monitor/ctl_protocol.hpp"
#include "monitor/monitor.hpp"
#include "monitor/monitor_config.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

using namespace roost;
using namespace roost::monitor;

namespace {

constexpr int kStartPipeFd = 3;
constexpr int kFirstClientFd = 4;

// fd if it is open (and not inherited by what the monitor runs), else an invalid one.
UniqueFd take_fd(int fd) {
  if (::fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) return UniqueFd();
  return UniqueFd(fd);
}

bool is_socket(int fd) {
  struct stat st;
  return fd >= 0 && ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

// Every signal blocked (children get a clean mask: util/process reset_signals); the ones the
// monitor acts on come through a signalfd on its event loop.
UniqueFd block_signals() {
  sigset_t all;
  sigfillset(&all);
  if (::sigprocmask(SIG_BLOCK, &all, nullptr) < 0) throw_errno("block signals");
  sigset_t wanted;
  sigemptyset(&wanted);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&wanted, sig);
  UniqueFd fd(::signalfd(-1, &wanted, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd) throw_errno("create a signalfd");
  return fd;
}

void answer_failure(int start_pipe, const std::string& error) {
  std::fprintf(stderr, "roost-monitor: %s\n", error.c_str());
  if (start_pipe < 0) return;
  const std::string line = encode_start_reply(StartReply{0, error, 125});
  (void)!::write(start_pipe, line.data(), line.size());
}

}  // namespace

int main(int argc, char** argv) {
  MonitorFds fds;
  fds.start_pipe = take_fd(kStartPipeFd);
  if (argc != 2) {
    answer_failure(fds.start_pipe.get(), "usage: roost-monitor MONITOR_JSON");
    return 125;
  }
  if (is_socket(kFirstClientFd)) fds.first_client = take_fd(kFirstClientFd);
  try {
    // Its own session: the terminal of the `roost run` that started it is not its own, and a
    // hang-up there does not reach it. Children that the runtime orphans (the container's init)
    // come to it, so it can wait for them.
    ::setsid();
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) throw_errno("become a child subreaper");
    if (::chdir("/") < 0) throw_errno("chdir /");
    fds.signals = block_signals();
    MonitorConfig config = monitor_config_from_json(read_file(argv[1]));
    Monitor monitor(std::move(config), std::move(fds));
    return monitor.run();
  } catch (const std::exception& e) {
    answer_failure(fds.start_pipe.get(), e.what());
    return 125;
  }
}
