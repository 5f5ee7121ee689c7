#include <sys/socket.h>

#include <cerrno>

#include "ns/port/builtin/published_port.hpp"
#include "util/log.hpp"

namespace roost::ns::builtin {

TcpPort::TcpPort(EventLoop& loop, ChildChannel& child, UniqueFd listener, ForwardTarget target)
    : loop_(loop), child_(child), listener_(std::move(listener)), target_(std::move(target)) {
  loop_.add(listener_.get(), EPOLLIN, [this](uint32_t) { on_accept(); });
}

TcpPort::~TcpPort() {
  loop_.remove(listener_.get());
  for (auto& [sequence, client] : waiting_) child_.cancel(sequence);
}

void TcpPort::on_accept() {
  for (;;) {
    SocketAddress peer;
    peer.length = sizeof peer.storage;
    int fd = ::accept4(listener_.get(), peer.get(), &peer.length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a connection that went away before it was accepted
    UniqueFd client(fd);
    std::optional<SocketAddress> source = target_.source_for(peer);
    bool transparent = source && ForwardTarget::needs_transparency(*source);
    // The client is kept here until the reply, so that remove() closes it while it waits; it is
    // stored first because the callback may run inside request() (a failed send).
    uint32_t sequence = child_.next_sequence();
    waiting_.emplace(sequence, std::move(client));
    child_.request(SOCK_STREAM, target_.address, source ? &*source : nullptr, transparent,
                   [this, sequence](UniqueFd inside, const std::string& error) {
                     on_child_reply(sequence, std::move(inside), error);
                   });
  }
}

void TcpPort::on_child_reply(uint32_t sequence, UniqueFd inside, const std::string& error) {
  auto it = waiting_.find(sequence);
  if (it == waiting_.end()) return;
  UniqueFd client = std::move(it->second);
  waiting_.erase(it);
  if (!inside || !error.empty()) {
    // Refused inside (or no child): the client sees its connection reset, as if refused.
    log::debug("builtin port driver: " + error);
    close_with_reset(std::move(client));
    return;
  }
  uint64_t id = next_relay_++;
  relays_[id] = std::make_unique<TcpRelay>(loop_, std::move(client), std::move(inside),
                                           [this, id] { relays_.erase(id); });
}

}  // namespace roost::ns::builtin
