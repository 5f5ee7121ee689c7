// One published port of the builtin driver in the parent: its listening socket and everything
// it carries (TCP connections, UDP flows). Destroying it closes all of them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ns/port/builtin/child_channel.hpp"
#include "ns/port/builtin/forward_target.hpp"
#include "ns/port/builtin/tcp_relay.hpp"
#include "util/event_loop.hpp"
#include "util/unique_fd.hpp"

namespace roost::ns::builtin {

class PublishedPort {
 public:
  virtual ~PublishedPort() = default;
};

class TcpPort : public PublishedPort {
 public:
  TcpPort(EventLoop& loop, ChildChannel& child, UniqueFd listener, ForwardTarget target);
  ~TcpPort() override;

 private:
  void on_accept();
  void on_child_reply(uint32_t sequence, UniqueFd inside, const std::string& error);

  EventLoop& loop_;
  ChildChannel& child_;
  UniqueFd listener_;
  ForwardTarget target_;
  std::map<uint32_t, UniqueFd> waiting_;  // accepted clients whose inside socket is on its way
  std::map<uint64_t, std::unique_ptr<TcpRelay>> relays_;
  uint64_t next_relay_ = 0;
};

class UdpPort : public PublishedPort {
 public:
  UdpPort(EventLoop& loop, ChildChannel& child, UniqueFd listener, ForwardTarget target,
          std::chrono::milliseconds idle_timeout);
  ~UdpPort() override;

 private:
  // One client (address and port) and its connected socket inside.
  struct Flow {
    SocketAddress client;
    UniqueFd inside;                     // invalid while the child is opening it
    uint32_t sequence = 0;               // of that request
    std::vector<std::string> queued;     // datagrams that came before the socket
    std::chrono::steady_clock::time_point last_active;
  };
  void on_datagrams();
  void to_flow(const SocketAddress& client, const char* data, size_t size);
  void on_flow_socket(const std::string& key, uint32_t sequence, UniqueFd inside);
  void on_replies(const std::string& key);
  void expire_idle();
  void close_flow(const std::string& key);

  EventLoop& loop_;
  ChildChannel& child_;
  UniqueFd listener_;
  ForwardTarget target_;
  std::chrono::milliseconds idle_timeout_;
  UniqueFd timer_;
  std::map<std::string, Flow> flows_;  // keyed by the client's address bytes
  std::vector<char> buffer_;
};

}  // namespace roost::ns::builtin
