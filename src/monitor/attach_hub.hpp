// The clients attached to a container (ctl.sock "attach", and fd 4 of a foreground run): the
// container's output goes to each as frames, stdin frames from the clients that asked for stdin
// go to the container, resize frames to its terminal. Sockets are nonblocking; a client that
// reads slowly gets a queue, and while any queue is long the monitor stops reading the container's
// output (back-pressure) rather than dropping it or blocking on one client.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "monitor/ctl_protocol.hpp"
#include "util/event_loop.hpp"
#include "util/unique_fd.hpp"

namespace roost::monitor {

struct AttachEvents {
  std::function<void(std::string_view)> stdin_data;
  std::function<void()> stdin_closed;
  std::function<void(WindowSize)> resize;
  // The queues went from long to short (resume reading output) or the other way.
  std::function<void(bool backlogged)> backlog_changed;
};

class AttachHub {
 public:
  AttachHub(EventLoop& loop, AttachEvents events);
  ~AttachHub();
  AttachHub(const AttachHub&) = delete;
  AttachHub& operator=(const AttachHub&) = delete;

  void add(UniqueFd sock, bool wants_stdin);
  void output(FrameKind kind, std::string_view data);  // Stdout or Stderr
  bool backlogged() const { return backlogged_; }
  size_t size() const { return clients_.size(); }
  // The exit frame to every client, their queues sent (waiting up to timeout_ms in all), then
  // every connection closed.
  void finish(int exit_code, int timeout_ms);

 private:
  struct Client {
    UniqueFd sock;
    bool wants_stdin = false;
    std::deque<std::string> queue;
    size_t queued_bytes = 0;
  };
  void send(Client& client, std::string frame);
  bool flush(Client& client);  // false when the client is gone
  void on_event(int fd, uint32_t events);
  void on_message(Client& client, std::string_view message);
  void drop(int fd);
  void update_backlog();

  EventLoop& loop_;
  AttachEvents events_;
  std::map<int, Client> clients_;
  bool backlogged_ = false;
};

}  // namespace roost::monitor
