#include "container/foreground.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include "sys/terminal.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace roost {
namespace {

pid_t g_forward_to = 0;
void forward_signal(int sig) {
  if (g_forward_to > 0) ::kill(g_forward_to, sig);
}

}  // namespace

int wait_in_foreground(pid_t pid, int console_receiver) {
  g_forward_to = pid;
  struct sigaction sa = {};
  sa.sa_handler = forward_signal;
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH}) ::sigaction(sig, &sa, nullptr);
  // The master was sent before the program started, so it is already queued if there is one.
  struct pollfd p = {console_receiver, POLLIN, 0};
  if (console_receiver >= 0 && ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
    UniqueFd master = receive_fd(console_receiver);
    if (master) relay_terminal(master.get());
  }
  int status = 0;
  for (;;) {
    pid_t got = ::waitpid(-1, &status, 0);
    if (got == pid) break;
    if (got < 0 && errno != EINTR) throw_errno("wait for the container's process");
  }
  g_forward_to = 0;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace roost
