// A long-lived helper program of a network driver (slirp4netns, pasta): started with chosen fds,
// killed if roost dies (PR_SET_PDEATHSIG), watched through a pidfd, and stopped and reaped exactly
// once. Its stdout and stderr go to a log file whose last line explains a failure.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/unique_fd.hpp"

namespace roost::ns {

struct HelperSpec {
  std::string name;                 // "slirp4netns", for messages
  std::string path;                 // absolute path of the binary (find_program)
  std::vector<std::string> argv;    // argv[0] included
  std::vector<int> fds;             // fds[i] becomes descriptor 3+i in the helper
  std::string log_path;             // stdout and stderr; empty: /dev/null
  // A helper shared by many containers, that must outlive the process starting it (the rootless
  // network namespace's slirp4netns, monitor/rootless_outbound): no PR_SET_PDEATHSIG, a session of
  // its own; the caller release()s it once ready and stops it later by pid.
  bool detached = false;
};

class HelperProcess {
 public:
  HelperProcess() = default;
  explicit HelperProcess(const HelperSpec& spec);  // starts it; throws if fork or exec fails
  HelperProcess(HelperProcess&& other) noexcept;
  HelperProcess& operator=(HelperProcess&& other) noexcept;
  ~HelperProcess() { stop(); }

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  bool running() const { return pid_ > 0; }
  // Reads `ready_fd` until `done` says the helper is ready, it hangs up or `timeout_ms` pass; throws
  // a one-line error (with the helper's last log line) if it exits or times out first.
  using ReadyTest = bool (*)(const std::string& received, bool hung_up);
  void wait_ready(int ready_fd, ReadyTest done, int timeout_ms);
  // SIGTERM, then SIGKILL after a grace period; reaps. Idempotent.
  void stop();
  // SIGTERM only: the helper exits while the caller does other work; stop() then reaps it.
  void signal_stop();
  // Forgets a (detached) helper without stopping it: it runs on; its pid is returned.
  pid_t release();

 private:
  [[noreturn]] void fail(const std::string& what);
  std::string name_;
  std::string log_path_;
  pid_t pid_ = -1;
  UniqueFd pidfd_;
};

// The absolute path of `program` (a name looked up in PATH, or a path); empty if not executable.
std::string find_program(const std::string& program);

// The last non-empty line of a log file, or "" (for error messages).
std::string last_log_line(const std::string& path);

}  // namespace roost::ns
