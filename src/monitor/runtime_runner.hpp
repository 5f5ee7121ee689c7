// roost-runtime as the monitor runs it for one container: create (the container's stdio handed to
// it), start, delete --force. A failure is a RuntimeFailure carrying the runtime's own last line
// (what podman shows, and what 126/127 are read from).
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"
#include "util/process.hpp"

namespace roost::monitor {

class RuntimeFailure : public Error {
 public:
  using Error::Error;
};

// What the container's init gets as stdio at create, and where the runtime's own words go.
struct RuntimeStdio {
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;  // dup'ed onto 0, 1, 2 of the runtime
  int error_read_fd = -1;       // the read end of what stderr_fd writes to (nonblocking): read after a failure
  std::string console_socket;   // -t: --console-socket
};

// The last non-empty line of a program's error output, without its "program: " prefix.
std::string last_error_line(std::string_view output, std::string_view program);

class RuntimeRunner {
 public:
  RuntimeRunner(std::string runtime, std::string root, std::string bundle, std::string id, std::string pid_file);

  // `create`, or with Start::Too `run --detach` (create and start in one process), or with
  // Start::AfterReady `run --detach --start-gate` (roost-runtime's): `ready` runs while the
  // runtime creates the container, which starts once it has returned (one runtime process, where
  // create + start took two); if it throws, the runtime deletes the container and the exception
  // goes on. Returns the init's pid, read from the pid file.
  enum class Start { Later, Too, AfterReady };
  pid_t create(const RuntimeStdio& stdio, Start start = Start::Later, const std::function<void()>& ready = {});
  void start();
  // `delete --force`: the runtime's state of the container goes (its init is gone by then). Errors
  // are returned, not thrown: the monitor is on its way out.
  std::string delete_force();
  // delete_force in two halves, so that the monitor's own end (--rm's removal) runs meanwhile:
  // begin starts it (nullopt and the error when it could not), end_delete waits for it.
  std::optional<RunningProgram> begin_delete(std::string& error);
  std::string end_delete(RunningProgram& program);

 private:
  std::vector<std::string> command(std::vector<std::string> tail) const;
  std::string runtime_, root_, bundle_, id_, pid_file_;
};

}  // namespace roost::monitor
