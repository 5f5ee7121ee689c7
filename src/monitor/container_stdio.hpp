// The container's stdio as the monitor holds it: pipes (stdin only with -i; stdout and stderr
// always), or with -t a pty whose master the runtime sends over a console socket in the run dir.
// The runtime's ends go to its create; the monitor keeps the other ends for the event loop.
#pragma once

#include <memory>
#include <string>

#include "monitor/runtime_runner.hpp"
#include "monitor/console_receiver.hpp"
#include "util/unique_fd.hpp"

namespace roost::monitor {

class ContainerStdio {
 public:
  // Pipes, or (tty) a listening console socket at run_dir/pty.sock. Made before each create.
  ContainerStdio(bool tty, bool stdin_open, const std::string& run_dir);
  ContainerStdio(const ContainerStdio&) = delete;
  ContainerStdio& operator=(const ContainerStdio&) = delete;

  // What create gets.
  RuntimeStdio runtime_stdio() const;
  // After a successful create: closes the runtime's ends (the init holds its own copies) and,
  // with a tty, takes the pty master from the console socket.
  void after_create();

  bool tty() const { return tty_; }
  // The container's output: the pty master (tty) or the stdout and stderr pipes' read ends.
  int stdout_fd() const { return tty_ ? master_.get() : stdout_read_.get(); }
  int stderr_fd() const { return stderr_read_.get(); }  // -1 with a tty
  // Where stdin bytes go (the master, or the stdin pipe with -i); -1 when stdin is not open.
  int stdin_fd() const { return tty_ ? (stdin_open_ ? master_.get() : -1) : stdin_write_.get(); }
  // The container's stdin ends: the pipe is closed (EOF), a pty gets ^D as a terminal would send.
  void close_stdin();
  void drop_stdout() { tty_ ? master_.reset() : stdout_read_.reset(); }
  void drop_stderr() { stderr_read_.reset(); }
  int master() const { return master_.get(); }

 private:
  bool tty_, stdin_open_;
  std::unique_ptr<ConsoleReceiver> console_;  // until the master arrives
  UniqueFd master_;
  UniqueFd stdin_read_, stdin_write_, stdout_read_, stdout_write_, stderr_read_, stderr_write_;
  UniqueFd null_;
};

}  // namespace roost::monitor
