#include "ns/detached_netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/process.hpp"
#include "util/unique_fd.hpp"

namespace roost::ns {
namespace {

void enter_netns(const std::string& path) {
  UniqueFd ns(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns) throw_errno("open " + path);
  if (::setns(ns.get(), CLONE_NEWNET) < 0) throw_errno("setns " + path);
}

// Forks; the child runs `work` and reports a failure as text on a pipe. Returns the pid and the
// read end.
pid_t fork_reporting(const std::function<void()>& work, UniqueFd& report, bool die_with_parent) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) throw_errno("pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    read_end.reset();
    if (die_with_parent) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    try {
      work();
      _exit(0);
    } catch (const std::exception& e) {
      std::string msg = e.what();
      (void)!::write(write_end.get(), msg.data(), msg.size());
      _exit(1);
    }
  }
  report = std::move(read_end);
  return pid;
}

// Waits for a fork_reporting child; returns what it reported, or a line of its own when it died
// without a word.
std::string wait_reporting(pid_t pid, UniqueFd& report) {
  return wait_reported(pid, report.get(), "the helper process failed");
}

}  // namespace

void run_in_netns(const std::string& path, const std::function<void()>& work) {
  UniqueFd report;
  pid_t pid = fork_reporting([&] { enter_netns(path), work(); }, report, true);
  std::string msg = wait_reporting(pid, report);
  if (!msg.empty()) throw Error(msg);
}

void create_detached_netns(const std::string& path) {
  UniqueFd file(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
  if (!file) throw_errno("create " + path);
  file.reset();
  UniqueFd report;
  pid_t pid = fork_reporting(
      [&] {
        if (::unshare(CLONE_NEWNET) < 0) throw_errno("unshare a network namespace");
        if (::mount("/proc/self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) < 0)
          throw_errno("bind the network namespace on " + path);
      },
      report, true);
  std::string msg = wait_reporting(pid, report);
  if (!msg.empty()) throw Error("failed to create a detached netns on " + path + ": " + msg);
}

pid_t spawn_in_netns(const std::string& path, const std::function<void()>& serve) {
  UniqueFd report;
  return fork_reporting([&] { enter_netns(path), serve(); }, report, true);
}

}  // namespace roost::ns
