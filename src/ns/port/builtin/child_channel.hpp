// The parent's end of the port socket pair: sends ConnectRequests and hands each reply (a
// connected socket or an error text) to the callback of its request.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "ns/port/builtin/messages.hpp"
#include "ns/port/socket_address.hpp"
#include "util/event_loop.hpp"
#include "util/unique_fd.hpp"

namespace roost::ns::builtin {

class ChildChannel {
 public:
  using Callback = std::function<void(UniqueFd socket, const std::string& error)>;
  ChildChannel(EventLoop& loop, UniqueFd channel);
  ~ChildChannel();
  ChildChannel(const ChildChannel&) = delete;
  ChildChannel& operator=(const ChildChannel&) = delete;

  // Asks for a socket of `socket_type` connected to `target` inside, bound to `source` when it
  // is not null (transparently when `transparent`). The callback runs from the loop when the
  // reply comes, at once when the request cannot be sent, never once cancelled. Returns the
  // request's sequence number.
  uint32_t request(int socket_type, const SocketAddress& target, const SocketAddress* source,
                   bool transparent, Callback callback);
  uint32_t next_sequence() const { return next_sequence_; }  // the next request's
  void cancel(uint32_t sequence) { waiting_.erase(sequence); }

 private:
  void on_readable();
  void fail_all(const std::string& error);

  EventLoop& loop_;
  UniqueFd channel_;
  uint32_t next_sequence_ = 1;
  std::map<uint32_t, Callback> waiting_;
};

}  // namespace roost::ns::builtin
