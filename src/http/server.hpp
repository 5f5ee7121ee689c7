// An HTTP/1.1 server on a listening socket, served from an EventLoop: nonblocking, keep-alive and
// pipelining, bounded header and body sizes. A client that sends garbage gets Go's 400 and is
// closed; one that hangs up mid-request is closed; neither costs more than its buffer.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "http/message.hpp"
#include "util/event_loop.hpp"
#include "util/unique_fd.hpp"

namespace roost::http {

// Binds a nonblocking, close-on-exec unix stream socket at `path` with file mode `mode`
// (a stale socket file there is replaced) and listens.
UniqueFd listen_unix(const std::string& path, mode_t mode);

class Server {
 public:
  using Handler = std::function<Response(const Request&)>;
  Server(EventLoop& loop, UniqueFd listener, Handler handler, Limits limits = {});
  ~Server();  // closes the listener and every connection
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  size_t connection_count() const { return connections_.size(); }
  static constexpr size_t max_connections = 64;

 private:
  struct Connection {
    UniqueFd fd;
    std::string in;
    std::string out;
    bool closing = false;  // close once `out` is written
    bool continue_sent = false;  // "100 Continue" already sent for the request being read
    // After an error answer: the write side is shut and input is read and dropped until the
    // client closes (at most `max_drain_bytes`), so that the client, still sending, is not reset
    // before it reads the answer. Go's server does the same.
    bool draining = false;
    size_t drained = 0;
  };
  static constexpr size_t max_drain_bytes = 1024 * 1024;
  bool drain(Connection& c);  // false: done, close it

  void accept_all();
  void on_event(int fd, uint32_t events);
  bool read_some(Connection& c);  // false: the peer is gone
  void handle_requests(Connection& c);
  bool flush(Connection& c);      // false: the peer is gone
  void close_connection(int fd);

  EventLoop& loop_;
  UniqueFd listener_;
  // Held for the moment the process runs out of fds: freed, it lets accept take the waiting
  // client and close it, so the level-triggered listener does not wake the loop forever.
  UniqueFd reserve_fd_;
  Handler handler_;
  Limits limits_;
  std::map<int, std::unique_ptr<Connection>> connections_;
};

}  // namespace roost::http
