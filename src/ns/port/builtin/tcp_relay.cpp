#include "ns/port/builtin/tcp_relay.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::ns::builtin {
namespace {

// The largest pipe an unprivileged process may ask for (fs.pipe-max-size, 1 MiB by default):
// fewer, larger splices per byte.
size_t open_pipe(UniqueFd& read_end, UniqueFd& write_end) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw_errno("pipe2 for a forwarded connection");
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  static const int wanted = static_cast<int>(read_integer_file("/proc/sys/fs/pipe-max-size").value_or(1 << 20));
  int got = fcntl(fds[1], F_SETPIPE_SZ, wanted);
  if (got < 0) got = fcntl(fds[1], F_GETPIPE_SZ);
  return size_t(got > 0 ? got : 65536);
}

constexpr unsigned kSpliceFlags = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;
constexpr uint32_t kEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

}  // namespace

void close_with_reset(UniqueFd fd) {
  linger l{1, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

TcpRelay::TcpRelay(EventLoop& loop, UniqueFd client, UniqueFd inside, std::function<void()> done)
    : loop_(loop), client_(std::move(client)), inside_(std::move(inside)), done_(std::move(done)) {
  pipe_size_ = open_pipe(up_.pipe_read, up_.pipe_write);
  open_pipe(down_.pipe_read, down_.pipe_write);
  up_.from = down_.to = client_.get();
  up_.to = down_.from = inside_.get();
  // The relay cannot see the application's message boundaries, so it must not hold back a short
  // tail waiting for an ACK (Nagle): what arrives is sent on at once, as Go's connections do.
  int one = 1;
  setsockopt(client_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(inside_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  set_nonblocking(inside_.get());
  // Edge-triggered: the first events arrive at once for what is already readable or writable.
  int client_fd = client_.get(), inside_fd = inside_.get();
  loop_.add(client_fd, kEvents, [this, client_fd](uint32_t events) { on_event(client_fd, events); });
  loop_.add(inside_fd, kEvents, [this, inside_fd](uint32_t events) { on_event(inside_fd, events); });
}

TcpRelay::~TcpRelay() {
  loop_.remove(client_.get());
  loop_.remove(inside_.get());
}

void TcpRelay::on_event(int fd, uint32_t events) {
  // Only the directions this edge can move: a stream of data one way wakes the relay for each
  // burst and each freed window, and a splice that is bound to fail is a wasted system call.
  bool read_edge = events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
  bool write_edge = events & (EPOLLOUT | EPOLLHUP | EPOLLERR);
  bool client = fd == client_.get();
  Step up = (client ? read_edge : write_edge) ? pump(up_) : Step::Idle;
  Step down = up == Step::Failed ? Step::Failed
              : (client ? write_edge : read_edge) ? pump(down_)
                                                   : Step::Idle;
  bool failed = up == Step::Failed || down == Step::Failed;
  if (!failed && !(up_.shut && down_.shut)) return;
  loop_.remove(client_.get());
  loop_.remove(inside_.get());
  if (failed) {  // a reset or a broken side: the other side learns it as a reset too
    close_with_reset(std::move(client_));
    close_with_reset(std::move(inside_));
  }
  auto done = std::move(done_);
  done();  // may destroy this relay: nothing after it
}

// Moves what it can in one direction until both sockets would block.
TcpRelay::Step TcpRelay::pump(Direction& d) {
  for (;;) {
    Step drained = drain_pipe(d);
    if (drained == Step::Failed) return Step::Failed;
    Step filled = fill_pipe(d);
    if (filled == Step::Failed) return Step::Failed;
    if (d.eof && d.in_pipe == 0 && !d.shut) {
      ::shutdown(d.to, SHUT_WR);
      d.shut = true;
    }
    if (drained == Step::Idle && filled == Step::Idle) return Step::Idle;
  }
}

TcpRelay::Step TcpRelay::drain_pipe(Direction& d) {
  if (d.in_pipe == 0) return Step::Idle;
  ssize_t n = splice(d.pipe_read.get(), nullptr, d.to, nullptr, d.in_pipe, kSpliceFlags);
  if (n > 0) {
    d.in_pipe -= size_t(n);
    return Step::Moved;
  }
  return n < 0 && (errno == EAGAIN || errno == EINTR) ? Step::Idle : Step::Failed;
}

// Reads only while the pipe has room; EAGAIN means the socket is empty or the pipe full, and the
// next drain (which follows a writable edge) tries again, so no edge is lost.
TcpRelay::Step TcpRelay::fill_pipe(Direction& d) {
  if (d.eof || d.in_pipe >= pipe_size_) return Step::Idle;
  ssize_t n = splice(d.from, nullptr, d.pipe_write.get(), nullptr, pipe_size_ - d.in_pipe, kSpliceFlags);
  if (n > 0) {
    d.in_pipe += size_t(n);
    return Step::Moved;
  }
  if (n == 0) {
    d.eof = true;
    return Step::Moved;
  }
  return errno == EAGAIN || errno == EINTR ? Step::Idle : Step::Failed;
}

}  // namespace roost::ns::builtin
