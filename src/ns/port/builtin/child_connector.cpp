#include "ns/port/builtin/child_connector.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "ns/port/go_format.hpp"
#include "ns/port/socket_address.hpp"
#include "util/error.hpp"
#include "util/fd_passing.hpp"
#include "util/file.hpp"

namespace roost::ns::builtin {
namespace {

constexpr uint32_t kReplyTable = 0x726f;   // "ro": a table of roost's own in the child's netns
constexpr uint32_t kReplyRulePriority = 100;  // before the main table (32766), after local (0)

SocketAddress address_of(const sockaddr_storage& storage, uint32_t length) {
  SocketAddress a;
  std::memcpy(&a.storage, &storage, sizeof storage);
  a.length = length;
  return a;
}

// A Go-like "dial tcp 127.0.0.1:80" prefix for the errors sent back.
std::string dial_text(int socket_type, const SocketAddress& target) {
  return std::string("dial ") + (socket_type == SOCK_STREAM ? "tcp " : "udp ") + target.text();
}

void set_transparent(int fd, int family) {
  int one = 1;
  int r = family == AF_INET ? setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof one)
                            : setsockopt(fd, SOL_IPV6, IPV6_TRANSPARENT, &one, sizeof one);
  if (r != 0) throw Error("set IP_TRANSPARENT: " + go::errno_text(errno));
}

// Binds to the client's address and port; when that port is taken inside (a server's own, or a
// recent connection's TIME_WAIT), to the address with a port the kernel picks.
void bind_source(int fd, SocketAddress source) {
  if (::bind(fd, source.get(), source.length) == 0) return;
  if (errno == EADDRINUSE) {
    source = *SocketAddress::from(source.ip(), 0);
    if (::bind(fd, source.get(), source.length) == 0) return;
  }
  throw Error("bind " + source.text() + ": " + go::errno_text(errno));
}

}  // namespace

ChildConnector::ChildConnector(EventLoop& loop, UniqueFd channel) : loop_(loop), channel_(std::move(channel)) {
  set_nonblocking(channel_.get());
  loop_.add(channel_.get(), EPOLLIN, [this](uint32_t) { on_channel(); });
}

ChildConnector::~ChildConnector() {
  loop_.remove(channel_.get());
  for (auto& [fd, c] : connecting_) loop_.remove(fd);
}

void ChildConnector::on_channel() {
  for (;;) {
    ConnectRequest request;
    ssize_t n = ::recv(channel_.get(), &request, sizeof request, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {  // the parent is gone: nothing more will be asked
      loop_.remove(channel_.get());
      auto self = std::move(self_);  // may destroy this connector when it returns
      return;
    }
    if (size_t(n) != sizeof request) continue;  // not a request of this binary's
    handle(request);
  }
}

void ChildConnector::handle(const ConnectRequest& request) {
  SocketAddress target = address_of(request.target, request.target_length);
  std::string what = dial_text(request.socket_type, target);
  try {
    UniqueFd fd(::socket(target.family(), request.socket_type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) throw Error("socket: " + go::errno_text(errno));
    if (request.source_length != 0) {
      SocketAddress source = address_of(request.source, request.source_length);
      if (request.transparent) {
        ensure_reply_route(source.family(), request.socket_type, target.port());
        set_transparent(fd.get(), source.family());
      }
      bind_source(fd.get(), source);
    }
    if (::connect(fd.get(), target.get(), target.length) == 0) return reply(request.sequence, fd.get(), "");
    if (errno != EINPROGRESS) throw Error("connect: " + go::errno_text(errno));
    int raw = fd.get();
    connecting_.emplace(raw, Connecting{request.sequence, std::move(fd), what});
    loop_.add(raw, EPOLLOUT, [this, raw](uint32_t) { on_connected(raw); });
  } catch (const Error& e) {
    reply(request.sequence, -1, what + ": " + e.what());
  }
}

void ChildConnector::on_connected(int fd) {
  auto it = connecting_.find(fd);
  if (it == connecting_.end()) return;
  Connecting c = std::move(it->second);
  connecting_.erase(it);
  loop_.remove(fd);
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return reply(c.sequence, -1, c.what + ": connect: " + go::errno_text(err));
  reply(c.sequence, fd, "");
}

void ChildConnector::reply(uint32_t sequence, int fd, const std::string& error) {
  ConnectReply r;
  r.sequence = sequence;
  std::strncpy(r.error, error.c_str(), sizeof r.error - 1);
  // A reply that cannot be sent (the parent gone, its queue full) leaves the parent's request
  // unanswered; the parent gives up on it when the channel closes.
  if (fd >= 0)
    send_with_fd(channel_.get(), &r, sizeof r, fd);
  else
    ::send(channel_.get(), &r, sizeof r, MSG_NOSIGNAL | MSG_DONTWAIT);
}

void ChildConnector::ensure_reply_route(int family, int socket_type, int port) {
  int protocol = socket_type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
  if (rules_.count({family, protocol, port})) return;
  if (!route_) route_ = std::make_unique<netlink::RouteSocket>();
  if (!families_routed_.count(family)) {
    try {
      route_->add_local_default_route(family, "lo", kReplyTable);
    } catch (const SysError& e) {
      if (e.err() != EEXIST) throw;
    }
    families_routed_.insert(family);
  }
  route_->add_sport_rule(family, protocol, port, kReplyTable, kReplyRulePriority);
  rules_.insert({family, protocol, port});
}

}  // namespace roost::ns::builtin
