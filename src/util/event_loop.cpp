#include "util/event_loop.hpp"

#include <cerrno>
#include <string>

#include "util/error.hpp"

namespace roost {

namespace {
uint64_t pack(int fd, uint32_t generation) { return uint64_t(generation) << 32 | uint32_t(fd); }
}  // namespace

EventLoop::EventLoop() : epoll_(epoll_create1(EPOLL_CLOEXEC)) {
  if (!epoll_) throw_errno("epoll_create1");
}

void EventLoop::add(int fd, uint32_t events, Handler handler) {
  uint32_t generation = ++next_generation_;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = pack(fd, generation);
  bool known = handlers_.count(fd) != 0;
  if (epoll_ctl(epoll_.get(), known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) != 0)
    throw_errno("epoll_ctl add fd " + std::to_string(fd));
  handlers_[fd] = Entry{std::make_shared<Handler>(std::move(handler)), generation};
}

void EventLoop::modify(int fd, uint32_t events) {
  auto it = handlers_.find(fd);
  if (it == handlers_.end()) throw Error("event loop: fd " + std::to_string(fd) + " is not watched");
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = pack(fd, it->second.generation);
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) != 0)
    throw_errno("epoll_ctl modify fd " + std::to_string(fd));
}

void EventLoop::remove(int fd) {
  if (handlers_.erase(fd) == 0) return;
  // The fd may already be closed by its owner, which took it out of the epoll set with it.
  epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::run() {
  running_ = true;
  epoll_event events[64];
  while (running_) {
    int n = epoll_wait(epoll_.get(), events, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("epoll_wait");
    }
    for (int i = 0; i < n && running_; i++) {
      int fd = int(uint32_t(events[i].data.u64));
      uint32_t generation = uint32_t(events[i].data.u64 >> 32);
      auto it = handlers_.find(fd);
      // Removed, or removed and added again, by an earlier handler in this batch.
      if (it == handlers_.end() || it->second.generation != generation) continue;
      std::shared_ptr<Handler> handler = it->second.handler;
      (*handler)(events[i].events);
    }
  }
}

}  // namespace roost
