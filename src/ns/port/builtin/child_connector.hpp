// The builtin driver's child half, inside the namespaces: for each request of the parent it opens
// a socket, binds it to the client's address (transparently where that address is not local),
// connects it without blocking the loop, and hands it back, or the error as text.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <tuple>

#include "ns/port/builtin/messages.hpp"
#include "sys/netlink.hpp"
#include "util/event_loop.hpp"
#include "util/unique_fd.hpp"

namespace roost::ns::builtin {

class ChildConnector {
 public:
  ChildConnector(EventLoop& loop, UniqueFd channel);
  ~ChildConnector();
  ChildConnector(const ChildConnector&) = delete;
  ChildConnector& operator=(const ChildConnector&) = delete;
  // Makes the connector own itself until the parent closes the channel.
  void keep_alive(std::shared_ptr<ChildConnector> self) { self_ = std::move(self); }

 private:
  struct Connecting {
    uint32_t sequence;
    UniqueFd socket;
    std::string what;  // "dial tcp 127.0.0.1:80", the prefix of an error
  };
  void on_channel();
  void handle(const ConnectRequest& request);
  void on_connected(int fd);
  void reply(uint32_t sequence, int fd, const std::string& error);
  // The policy rule and local route that bring the server's replies back to a transparent
  // socket: "ipproto PROTO sport PORT lookup kTable", local default route on lo in kTable.
  void ensure_reply_route(int family, int socket_type, int port);

  EventLoop& loop_;
  UniqueFd channel_;
  std::map<int, Connecting> connecting_;
  std::unique_ptr<netlink::RouteSocket> route_;
  std::set<int> families_routed_;
  std::set<std::tuple<int, int, int>> rules_;
  std::shared_ptr<ChildConnector> self_;
};

}  // namespace roost::ns::builtin
