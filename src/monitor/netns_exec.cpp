#include "monitor/netns_exec.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <exception>

#include "util/error.hpp"
#include "util/process.hpp"

namespace roost::monitor {

UniqueFd open_netns(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open the network namespace " + path);
  return fd;
}

void in_netns(int netns_fd, const std::string& what, const std::function<void()>& work) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) throw_errno("create a pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork to join " + what);
  if (pid == 0) {
    read_end.reset();
    std::string message;
    try {
      if (::setns(netns_fd, CLONE_NEWNET) < 0) throw_errno("join " + what);
      work();
    } catch (const std::exception& e) {
      message = e.what();
    }
    if (!message.empty()) (void)!::write(write_end.get(), message.data(), message.size());
    ::_exit(message.empty() ? 0 : 1);
  }
  write_end.reset();
  const std::string message = wait_reported(pid, read_end.get(), "the process that configures " + what + " failed");
  if (!message.empty()) throw Error(message);
}

}  // namespace roost::monitor
