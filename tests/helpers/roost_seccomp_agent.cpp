// roost-seccomp-agent SOCKET LOG ERRNO: a seccomp agent for the notify tests
// (tests/integration/seccomp.bats). It listens on the AF_UNIX stream socket SOCKET; for every
// connection it reads the container process state the runtime sends with its seccomp notify fd
// (SCM_RIGHTS) and appends "state JSON" to LOG; then it answers every notification on every fd
// it was given by refusing the call with ERRNO, and appends "call SYSCALL-NR PID" to LOG.
// A connection without a descriptor is logged as "nofd". Runs until killed.
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "util/fd_passing.hpp"

namespace {

FILE* g_log = nullptr;

void log_line(const std::string& line) {
  std::fprintf(g_log, "%s\n", line.c_str());
  std::fflush(g_log);
}

// Reads one runtime connection to its end; returns the notify fd it carried (or -1).
int take_connection(int conn) {
  std::string text;
  roost::UniqueFd notify;
  char buf[4096];
  for (;;) {
    roost::UniqueFd passed;
    const ssize_t n = roost::receive_with_fd(conn, buf, sizeof buf, passed);
    if (passed) notify = std::move(passed);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(conn);
  log_line(notify ? "state " + text : "nofd " + text);
  return notify.release();
}

// Answers one notification on `fd`; false once the fd has no filter users left.
bool answer(int fd, int refuse_errno) {
  seccomp_notif req{};
  if (::ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) return errno == EINTR || errno == ENOENT;
  log_line("call " + std::to_string(req.data.nr) + " " + std::to_string(req.pid));
  seccomp_notif_resp resp{};
  resp.id = req.id;
  resp.error = -refuse_errno;
  // ENOENT: the caller was killed meanwhile; nothing to answer.
  (void)::ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: roost-seccomp-agent SOCKET LOG ERRNO\n");
    return 2;
  }
  g_log = std::fopen(argv[2], "a");
  if (!g_log) {
    std::perror(argv[2]);
    return 1;
  }
  const int refuse_errno = std::atoi(argv[3]);
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", argv[1]);
  ::unlink(argv[1]);
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
      ::listen(listener, 16) < 0) {
    std::perror(argv[1]);
    return 1;
  }
  std::vector<pollfd> fds{{listener, POLLIN, 0}};
  for (;;) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      std::perror("poll");
      return 1;
    }
    if (fds[0].revents & POLLIN) {
      const int conn = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn >= 0) {
        const int notify = take_connection(conn);
        if (notify >= 0) fds.push_back({notify, POLLIN, 0});
      }
    }
    for (size_t i = 1; i < fds.size();) {
      bool keep = true;
      if (fds[i].revents & POLLIN) keep = answer(fds[i].fd, refuse_errno);
      // POLLHUP: every process using the filter is gone.
      else if (fds[i].revents & (POLLHUP | POLLERR)) keep = false;
      if (keep) {
        fds[i].revents = 0;
        ++i;
      } else {
        ::close(fds[i].fd);
        fds.erase(fds.begin() + static_cast<long>(i));
      }
    }
  }
}
