// ctl.sock: accept, read the request, dispatch.
#include "monitor/ctl_server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "monitor/unix_socket_path.hpp"
#include "util/error.hpp"
#include "util/fd_passing.hpp"

namespace roost::monitor {

void send_reply(int sock, const Reply& reply) {
  const std::string message = encode_reply(reply);
  ssize_t n;
  do {
    n = ::send(sock, message.data(), message.size(), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
}

CtlServer::CtlServer(EventLoop& loop, std::string path, CtlHandlers handlers)
    : loop_(loop), path_(std::move(path)), handlers_(std::move(handlers)) {
  const UnixSocketPath address(path_);
  listener_.reset(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!listener_) throw_errno("create the control socket");
  ::unlink(path_.c_str());
  // 0600 from the start: the umask makes the file, so no other user can connect before a chmod.
  const mode_t old_umask = ::umask(0177);
  const int rc = ::bind(listener_.get(), address.address(), address.length());
  ::umask(old_umask);
  if (rc < 0) throw_errno("bind the control socket " + path_);
  if (::listen(listener_.get(), 16) < 0) throw_errno("listen on the control socket " + path_);
  loop_.add(listener_.get(), EPOLLIN, [this](uint32_t) { on_accept(); });
}

CtlServer::~CtlServer() {
  for (auto& [fd, sock] : pending_) loop_.remove(fd);
  if (listener_) {
    loop_.remove(listener_.get());
    ::unlink(path_.c_str());
  }
}

void CtlServer::adopt(UniqueFd sock) {
  const int fd = sock.get();
  pending_[fd] = std::move(sock);
  loop_.add(fd, EPOLLIN, [this, fd](uint32_t) { on_first_message(fd); });
}

void CtlServer::on_accept() {
  for (;;) {
    UniqueFd sock(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!sock) return;  // EAGAIN: all taken; anything else: the client's problem
    adopt(std::move(sock));
  }
}

void CtlServer::on_first_message(int fd) {
  char buf[4096];
  UniqueFd passed;  // console's pty master; closed here for any other request
  ssize_t n = receive_with_fd(fd, buf, sizeof buf, passed);
  if (n < 0 && errno == EAGAIN) return;
  loop_.remove(fd);
  UniqueFd sock = std::move(pending_[fd]);
  pending_.erase(fd);
  if (n <= 0) return;
  Request request;
  try {
    request = decode_request(std::string_view(buf, static_cast<size_t>(n)));
  } catch (const Error& e) {
    send_reply(sock.get(), Reply{e.what(), std::nullopt});
    return;
  }
  switch (request.op) {
    case Request::Op::Attach:
      handlers_.attach(std::move(sock), request.attach_stdin);
      break;
    case Request::Op::Kill:
      send_reply(sock.get(), handlers_.kill(request.signal));
      break;
    case Request::Op::Stop:
      handlers_.stop(std::move(sock), request.signal, request.timeout_seconds);
      break;
    case Request::Op::Console:
      send_reply(sock.get(), passed ? handlers_.console(std::move(passed)) : Reply{"console: no terminal came with the request", std::nullopt});
      break;
  }
}

}  // namespace roost::monitor
