// Clients of the monitor's control socket, and the attach relay for the caller's stdio.
#include "monitor/ctl_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <optional>

#include "monitor/unix_socket_path.hpp"
#include "util/error.hpp"
#include "util/fd_passing.hpp"
#include "util/file.hpp"

namespace roost::monitor {

UniqueFd connect(const std::string& path) {
  const UnixSocketPath address(path);
  UniqueFd sock(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!sock) throw_errno("create a socket for " + path);
  int rc;
  do {
    rc = ::connect(sock.get(), address.address(), address.length());
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) throw_errno("connect to the container's monitor at " + path);
  return sock;
}

namespace {

void send_message(int sock, const std::string& message) {
  ssize_t n;
  do {
    n = ::send(sock, message.data(), message.size(), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno("send to the container's monitor");
}

// One message; "" when the monitor closed the connection.
std::string receive_message(int sock) {
  std::string buf(kMaxFrameSize, '\0');
  ssize_t n;
  do {
    n = ::recv(sock, buf.data(), buf.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno("receive from the container's monitor");
  buf.resize(static_cast<size_t>(n));
  return buf;
}

// One request and its reply; with_fd (>= 0) goes along with the request (SCM_RIGHTS).
Reply request(const std::string& path, const Request& req, int with_fd = -1) {
  UniqueFd sock = connect(path);
  if (with_fd < 0) {
    send_message(sock.get(), encode_request(req));
  } else {
    const std::string message = encode_request(req);
    if (send_with_fd(sock.get(), message.data(), message.size(), with_fd) < 0) throw_errno("send to the container's monitor");
  }
  const std::string answer = receive_message(sock.get());
  if (answer.empty()) throw Error("the container's monitor closed the connection without an answer");
  Reply reply = decode_reply(answer);
  if (!reply.ok()) throw Error(reply.error);
  return reply;
}

}  // namespace

void kill(const std::string& path, int signal) {
  Request req;
  req.op = Request::Op::Kill;
  req.signal = signal;
  request(path, req);
}

int stop(const std::string& path, int signal, int timeout_seconds) {
  Request req;
  req.op = Request::Op::Stop;
  req.signal = signal;
  req.timeout_seconds = timeout_seconds;
  Reply reply = request(path, req);
  if (!reply.exit_code) throw Error("the container's monitor answered stop without an exit code");
  return *reply.exit_code;
}

void hand_over_console(const std::string& path, int master) {
  Request req;
  req.op = Request::Op::Console;
  request(path, req, master);
}

UniqueFd attach(const std::string& path, bool attach_stdin) {
  UniqueFd sock = connect(path);
  Request req;
  req.attach_stdin = attach_stdin;
  send_message(sock.get(), encode_request(req));
  return sock;
}

UniqueFd attach_pair(bool attach_stdin, std::optional<WindowSize> window, UniqueFd& monitor_end) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0) throw_errno("create the attach socket pair");
  UniqueFd client(fds[0]);
  monitor_end.reset(fds[1]);
  Request req;
  req.attach_stdin = attach_stdin;
  req.window = window;
  send_message(client.get(), encode_request(req));
  return client;
}

std::optional<WindowSize> terminal_size(int fd) {
  struct winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return std::nullopt;
  return WindowSize{ws.ws_row, ws.ws_col};
}

namespace {

// The caller's terminal in raw mode while this lives; restored however the relay ends.
class RawTerminal {
 public:
  explicit RawTerminal(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) != 0) return;
    struct termios raw = saved_;
    ::cfmakeraw(&raw);
    active_ = ::tcsetattr(fd_, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  int fd_;
  struct termios saved_{};
  bool active_ = false;
};

// SIGWINCH delivered to a signalfd while this lives (blocked, so it does not interrupt the
// relay), the caller's mask restored after.
class WinchSignal {
 public:
  WinchSignal() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGWINCH);
    if (::sigprocmask(SIG_BLOCK, &set, &saved_) != 0) throw_errno("block SIGWINCH");
    fd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!fd_) {
      ::sigprocmask(SIG_SETMASK, &saved_, nullptr);
      throw_errno("create a signalfd for SIGWINCH");
    }
  }
  ~WinchSignal() {
    fd_.reset();
    ::sigprocmask(SIG_SETMASK, &saved_, nullptr);
  }
  WinchSignal(const WinchSignal&) = delete;
  WinchSignal& operator=(const WinchSignal&) = delete;
  int fd() const { return fd_.get(); }
  void drain() {
    signalfd_siginfo info;
    while (::read(fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    }
  }

 private:
  sigset_t saved_{};
  UniqueFd fd_;
};

void send_window_size(int sock, int terminal) {
  if (auto size = terminal_size(terminal)) send_message(sock, encode_frame(FrameKind::Resize, encode_resize_payload(*size)));
}

// Where the relay's loop stands.
struct Relay {
  int sock;
  bool stdin_open;
  bool stdout_ok = true, stderr_ok = true;  // a closed stdout drops output, the relay goes on
  char buf[kMaxFrameSize];

  // The monitor's message: output written, the exit code at the end. nullopt: go on.
  std::optional<int> on_socket(bool& closed) {
    ssize_t n;
    do {
      n = ::recv(sock, buf, sizeof buf, 0);
    } while (n < 0 && errno == EINTR);
    // A monitor that closes while input of ours is still unread in its queue (a keystroke, a
    // resize sent as the container ended) resets the connection, and the kernel reports that
    // error before the frames still queued here, the exit frame among them. The error is taken
    // by this read; the next one returns them.
    if (n < 0 && errno == ECONNRESET) return std::nullopt;
    if (n <= 0) {
      closed = true;
      return std::nullopt;
    }
    auto frame = decode_frame(std::string_view(buf, static_cast<size_t>(n)));
    if (!frame) return std::nullopt;
    switch (frame->kind) {
      case FrameKind::Stdout:
        if (stdout_ok) stdout_ok = write_all(STDOUT_FILENO, frame->payload);
        break;
      case FrameKind::Stderr:
        if (stderr_ok) stderr_ok = write_all(STDERR_FILENO, frame->payload);
        break;
      case FrameKind::Exit:
        if (auto code = decode_exit_payload(frame->payload)) return *code;
        closed = true;  // an exit frame we cannot read: as if the monitor went away
        break;
      default:
        break;  // client-bound kinds only; anything else is ignored
    }
    return std::nullopt;
  }

  void on_stdin() {
    ssize_t n;
    do {
      n = ::read(STDIN_FILENO, buf, kMaxFramePayload);
    } while (n < 0 && errno == EINTR);
    const std::string frame = n <= 0 ? encode_frame(FrameKind::StdinClosed, {})
                                     : encode_frame(FrameKind::Stdin, std::string_view(buf, static_cast<size_t>(n)));
    // A send that fails means the monitor has gone or closed our side: the socket's own events
    // end the relay; stdin is simply read no more.
    ssize_t sent;
    do {
      sent = ::send(sock, frame.data(), frame.size(), MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (n <= 0 || sent < 0) stdin_open = false;
  }
};

}  // namespace

int attach_relay(UniqueFd sock, bool stdin_open, bool tty) {
  const bool terminal = tty && ::isatty(STDIN_FILENO);
  std::optional<RawTerminal> raw;
  std::optional<WinchSignal> winch;
  if (terminal) {
    raw.emplace(STDIN_FILENO);
    winch.emplace();
    send_window_size(sock.get(), STDIN_FILENO);
  }
  auto relay = std::make_unique<Relay>(Relay{sock.get(), stdin_open});
  for (;;) {
    pollfd fds[3] = {
        {sock.get(), POLLIN, 0},
        {relay->stdin_open ? STDIN_FILENO : -1, POLLIN, 0},
        {winch ? winch->fd() : -1, POLLIN, 0},
    };
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("wait for the container's output");
    }
    if (fds[0].revents) {
      bool closed = false;
      if (auto code = relay->on_socket(closed)) return *code;
      if (closed) return -1;
    }
    if (fds[1].revents) relay->on_stdin();
    if (fds[2].revents) {
      winch->drain();
      send_window_size(sock.get(), STDIN_FILENO);
    }
  }
}

}  // namespace roost::monitor
