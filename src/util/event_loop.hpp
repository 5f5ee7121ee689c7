// A single-threaded epoll loop: roost ns's parent and child each run one, with the signal fd, the
// sync channel, the REST API and every port forwarder's sockets on it. Handlers run one at a time,
// so they need no locks; a handler may add or remove any fd, including its own.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include "util/unique_fd.hpp"

namespace roost {

class EventLoop {
 public:
  using Handler = std::function<void(uint32_t events)>;  // EPOLLIN, EPOLLOUT, EPOLLHUP, ...

  EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Watches fd (not owned) for `events`; the handler replaces any earlier one for this fd.
  void add(int fd, uint32_t events, Handler handler);
  void modify(int fd, uint32_t events);
  // Stops watching fd. Safe from inside any handler, the fd's own included: a removed fd's
  // pending events in the current batch are dropped.
  void remove(int fd);
  bool watching(int fd) const { return handlers_.count(fd) != 0; }

  // Runs handlers until stop(). A handler's exception ends run() and propagates to its caller.
  void run();
  void stop() { running_ = false; }

 private:
  UniqueFd epoll_;
  // Handlers are held by shared_ptr so that one removed (and replaced) while it runs stays alive
  // until it returns.
  // Each registration has a generation number in the epoll data beside the fd, so that an event
  // queued for a removed fd is not delivered to a new registration that reused its number.
  struct Entry {
    std::shared_ptr<Handler> handler;
    uint32_t generation;
  };
  std::unordered_map<int, Entry> handlers_;
  uint32_t next_generation_ = 0;
  bool running_ = false;
};

}  // namespace roost
