#include "monitor/netns_exec.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/process.hpp"

namespace roost::monitor {

UniqueFd open_netns(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open the network namespace " + path);
  return fd;
}

void in_netns(int netns_fd, const std::string& what, const std::function<void()>& work) {
  run_forked(
      [&] {
        if (::setns(netns_fd, CLONE_NEWNET) < 0) throw_errno("join " + what);
        work();
      },
      "the process that configures " + what + " failed", /*die_with_parent=*/false);
}

}  // namespace roost::monitor
