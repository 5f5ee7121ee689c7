#include "ns/port/builtin/child_channel.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "ns/port/go_format.hpp"
#include "util/fd_passing.hpp"
#include "util/file.hpp"

namespace roost::ns::builtin {

ChildChannel::ChildChannel(EventLoop& loop, UniqueFd channel) : loop_(loop), channel_(std::move(channel)) {
  set_nonblocking(channel_.get());
  loop_.add(channel_.get(), EPOLLIN, [this](uint32_t) { on_readable(); });
}

ChildChannel::~ChildChannel() { loop_.remove(channel_.get()); }

uint32_t ChildChannel::request(int socket_type, const SocketAddress& target, const SocketAddress* source,
                               bool transparent, Callback callback) {
  ConnectRequest r;
  r.sequence = next_sequence_++;
  r.socket_type = socket_type;
  std::memcpy(&r.target, &target.storage, sizeof r.target);
  r.target_length = target.length;
  if (source) {
    std::memcpy(&r.source, &source->storage, sizeof r.source);
    r.source_length = source->length;
    r.transparent = transparent;
  }
  waiting_.emplace(r.sequence, std::move(callback));
  if (::send(channel_.get(), &r, sizeof r, MSG_NOSIGNAL | MSG_DONTWAIT) != ssize_t(sizeof r)) {
    // Answered from the loop like any reply, so that the caller sees one way of failing.
    std::string error = "port driver child: " + go::errno_text(errno);
    uint32_t sequence = r.sequence;
    auto it = waiting_.find(sequence);
    Callback cb = std::move(it->second);
    waiting_.erase(it);
    cb(UniqueFd(), error);
  }
  return r.sequence;
}

void ChildChannel::on_readable() {
  for (;;) {
    ConnectReply reply;
    UniqueFd socket;
    ssize_t n = receive_with_fd(channel_.get(), &reply, sizeof reply, socket);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      loop_.remove(channel_.get());
      return fail_all("port driver child: the child has gone");
    }
    auto it = waiting_.find(reply.sequence);
    if (it == waiting_.end()) continue;  // cancelled: the socket is closed here
    Callback cb = std::move(it->second);
    waiting_.erase(it);
    reply.error[sizeof reply.error - 1] = '\0';
    if (!socket && reply.error[0] == '\0') std::strcpy(reply.error, "port driver child: no socket in the reply");
    cb(std::move(socket), reply.error);
  }
}

void ChildChannel::fail_all(const std::string& error) {
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& [sequence, cb] : waiting) cb(UniqueFd(), error);
}

}  // namespace roost::ns::builtin
