#include "http/server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "http/format.hpp"
#include "util/error.hpp"

namespace roost::http {

UniqueFd listen_unix(const std::string& path, mode_t mode) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) throw Error("socket path too long: " + path);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket for " + path);
  if (unlink(path.c_str()) != 0 && errno != ENOENT) throw_errno("remove stale " + path);
  // The file gets its mode from the umask at bind: no moment with a wider mode than asked for.
  mode_t old_umask = umask(~mode & 0777);
  int bound = bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int bind_errno = errno;
  umask(old_umask);
  if (bound != 0) throw SysError("bind " + path, bind_errno);
  if (chmod(path.c_str(), mode) != 0) throw_errno("chmod " + path);
  if (listen(fd.get(), 64) != 0) throw_errno("listen on " + path);
  return fd;
}

Server::Server(EventLoop& loop, UniqueFd listener, Handler handler, Limits limits)
    : loop_(loop),
      listener_(std::move(listener)),
      reserve_fd_(open("/dev/null", O_RDONLY | O_CLOEXEC)),
      handler_(std::move(handler)),
      limits_(limits) {
  loop_.add(listener_.get(), EPOLLIN, [this](uint32_t) { accept_all(); });
}

Server::~Server() {
  for (auto& [fd, c] : connections_) loop_.remove(fd);
  loop_.remove(listener_.get());
}

void Server::accept_all() {
  for (;;) {
    UniqueFd fd(accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if ((errno == EMFILE || errno == ENFILE) && reserve_fd_) {
        // accept fails for want of an fd even when no client waits: only a client taken with the
        // reserve's slot says one was there.
        reserve_fd_.reset();
        int refused = accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (refused >= 0) close(refused);
        reserve_fd_ = UniqueFd(open("/dev/null", O_RDONLY | O_CLOEXEC));
        if (refused >= 0) continue;  // maybe more are waiting
        return;
      }
      return;  // EAGAIN
    }
    if (connections_.size() >= max_connections) continue;  // closed at once: the limit bounds memory
    int raw = fd.get();
    auto c = std::make_unique<Connection>();
    c->fd = std::move(fd);
    connections_[raw] = std::move(c);
    loop_.add(raw, EPOLLIN | EPOLLRDHUP, [this, raw](uint32_t events) { on_event(raw, events); });
  }
}

void Server::on_event(int fd, uint32_t events) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  if (c.draining) {
    if (!drain(c)) close_connection(fd);
    return;
  }
  if (events & EPOLLOUT) {
    if (!flush(c)) return close_connection(fd);
  } else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) {
    if (!read_some(c)) return close_connection(fd);
  }
  if (c.out.empty()) handle_requests(c);
  if (!flush(c)) return close_connection(fd);
  if (c.closing && c.out.empty()) {
    if (!c.draining) return close_connection(fd);
    shutdown(fd, SHUT_WR);
    if (!drain(c)) return close_connection(fd);
    return loop_.modify(fd, EPOLLIN | EPOLLRDHUP);
  }
  // While a response waits for the client to read it, no more requests are read: a client that
  // pipelines without reading cannot make the server buffer without bound.
  loop_.modify(fd, c.out.empty() ? (EPOLLIN | EPOLLRDHUP) : EPOLLOUT);
}

bool Server::read_some(Connection& c) {
  char buffer[16384];
  for (;;) {
    ssize_t n = read(c.fd.get(), buffer, sizeof buffer);
    if (n > 0) {
      c.in.append(buffer, size_t(n));
      // Never more than one message's worth: the parser answers 431 or 413 past the limits.
      if (c.in.size() > limits_.max_header_bytes + limits_.max_body_bytes + 64 * 1024) return true;
      continue;
    }
    if (n == 0) {
      // Hung up. Requests already complete are still answered if the peer reads (half close).
      c.closing = true;
      return !c.in.empty();
    }
    if (errno == EINTR) continue;
    return errno == EAGAIN;
  }
}

void Server::handle_requests(Connection& c) {
  while (!c.in.empty()) {
    Request request;
    ParseResult parsed = parse_request(c.in, limits_, request);
    if (parsed.state == ParseState::need_more) {
      if (c.closing) c.in.clear();  // cut short by the hang-up: nothing to answer
      if (parsed.expects_continue && !c.continue_sent && !c.closing) {
        c.out += request.minor_version == 0 ? "HTTP/1.0 100 Continue\r\n\r\n" : "HTTP/1.1 100 Continue\r\n\r\n";
        c.continue_sent = true;
      }
      return;
    }
    c.continue_sent = false;
    if (parsed.state == ParseState::error) {
      c.out += format_parse_error(parsed.error_status, parsed.error_detail);
      c.in.clear();
      c.closing = true;
      c.draining = true;
      return;
    }
    c.in.erase(0, parsed.consumed);
    Response response;
    try {
      response = handler_(request);
    } catch (const std::exception&) {
      response = Response{};
      response.status = 500;
    }
    ResponseContext context;
    context.minor_version = request.minor_version;
    context.close = !request.keep_alive && request.minor_version == 1;
    context.keep_alive_1_0 = request.keep_alive;
    context.head = request.method == "HEAD";
    c.out += format_response(response, context);
    if (!request.keep_alive) {
      c.in.clear();
      c.closing = true;
      return;
    }
  }
}

bool Server::drain(Connection& c) {
  char buffer[16384];
  for (;;) {
    ssize_t n = read(c.fd.get(), buffer, sizeof buffer);
    if (n > 0) {
      c.drained += size_t(n);
      if (c.drained > max_drain_bytes) return false;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;  // EOF or an error: done
  }
}

bool Server::flush(Connection& c) {
  while (!c.out.empty()) {
    ssize_t n = send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n > 0) {
      c.out.erase(0, size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;
  }
  return true;
}

void Server::close_connection(int fd) {
  loop_.remove(fd);
  connections_.erase(fd);  // the UniqueFd closes it
}

}  // namespace roost::http
