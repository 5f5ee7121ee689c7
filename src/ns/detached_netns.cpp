#include "ns/detached_netns.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "sys/namespaces.hpp"
#include "util/error.hpp"
#include "util/process.hpp"
#include "util/unique_fd.hpp"

namespace roost::ns {

void run_in_netns(const std::string& path, const std::function<void()>& work) {
  run_forked([&] { enter_netns(path), work(); }, "the helper process failed", true);
}

void create_detached_netns(const std::string& path, const std::function<void()>& prepare) {
  UniqueFd file(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
  if (!file) throw_errno("create " + path);
  file.reset();
  UniqueFd report;
  pid_t pid = fork_reporting([&] { unshare_netns_bound_at(path, prepare); }, report, true);
  const std::string msg = wait_reported(pid, report.get(), "the helper process failed");
  if (!msg.empty()) throw Error("failed to create a detached netns on " + path + ": " + msg);
}

pid_t spawn_in_netns(const std::string& path, const std::function<void()>& serve) {
  UniqueFd report;
  return fork_reporting([&] { enter_netns(path), serve(); }, report, true);
}

}  // namespace roost::ns
