// Pipes or a pty for the container, and the console socket the runtime hands the pty master over.
#include "monitor/container_stdio.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::monitor {

namespace {

void make_pipe(UniqueFd& read_end, UniqueFd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) throw_errno("create a pipe for the container's stdio");
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
}

void make_nonblocking(int fd) {
  if (!set_nonblocking(fd)) throw_errno("make the container's stdio nonblocking");
}

}  // namespace

ContainerStdio::ContainerStdio(bool tty, bool stdin_open, const std::string& run_dir)
    : tty_(tty), stdin_open_(stdin_open) {
  null_.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null_) throw_errno("open /dev/null");
  if (tty_) {
    console_ = std::make_unique<ConsoleReceiver>(run_dir + "/pty.sock");
    // The runtime's own error words: a pipe of their own (the container's stdio is the pty).
    make_pipe(stderr_read_, stderr_write_);
  } else {
    if (stdin_open_) make_pipe(stdin_read_, stdin_write_);
    make_pipe(stdout_read_, stdout_write_);
    make_pipe(stderr_read_, stderr_write_);
    make_nonblocking(stdout_read_.get());
    if (stdin_write_) make_nonblocking(stdin_write_.get());
  }
  make_nonblocking(stderr_read_.get());
}

RuntimeStdio ContainerStdio::runtime_stdio() const {
  RuntimeStdio stdio;
  stdio.stdin_fd = stdin_read_ ? stdin_read_.get() : null_.get();
  stdio.stdout_fd = stdout_write_ ? stdout_write_.get() : null_.get();
  stdio.stderr_fd = stderr_write_.get();
  stdio.error_read_fd = stderr_read_.get();
  if (console_) stdio.console_socket = console_->address_for_runtime();
  return stdio;
}

void ContainerStdio::after_create() {
  stdin_read_.reset();
  stdout_write_.reset();
  stderr_write_.reset();
  if (!tty_) return;
  // The runtime connected and sent the master during create; both wait in the socket's queue.
  master_ = console_->take_master();
  make_nonblocking(master_.get());
  console_.reset();
  stderr_read_.reset();  // the runtime's words are not the container's output
}

void ContainerStdio::close_stdin() {
  if (tty_) {
    if (stdin_open_ && master_) {
      const char eof = 4;  // ^D: end of input, as the terminal's line discipline reads it
      (void)!::write(master_.get(), &eof, 1);
    }
    stdin_open_ = false;
    return;
  }
  stdin_write_.reset();
}

}  // namespace roost::monitor
