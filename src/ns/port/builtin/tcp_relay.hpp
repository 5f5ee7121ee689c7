// Moves the bytes of one forwarded TCP connection between the client's socket (host side) and
// the socket connected inside, with splice(2) through one pipe per direction: the data stays in
// the kernel's pages. Edge-triggered on the event loop, so a socket is never re-armed; each
// direction ends with shutdown(SHUT_WR) of the other socket (half-close), and the relay is done
// when both have ended, or at once when either socket fails.
#pragma once

#include <cstddef>
#include <functional>

#include "util/event_loop.hpp"
#include "util/unique_fd.hpp"

namespace roost::ns::builtin {

class TcpRelay {
 public:
  // `done` is called once, from a loop handler, when the relay has finished; it may destroy
  // the relay.
  TcpRelay(EventLoop& loop, UniqueFd client, UniqueFd inside, std::function<void()> done);
  ~TcpRelay();
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

 private:
  struct Direction {
    int from = -1, to = -1;
    UniqueFd pipe_read, pipe_write;
    size_t in_pipe = 0;
    bool eof = false;       // `from` has no more to read
    bool shut = false;      // `to` has been shut down for writing
  };
  enum class Step { Idle, Moved, Failed };
  // `fd` is client_ or inside_: its readable edge feeds the direction it is the source of, its
  // writable edge drains the other direction's pipe into it.
  void on_event(int fd, uint32_t events);
  Step pump(Direction& d);
  Step drain_pipe(Direction& d);
  Step fill_pipe(Direction& d);

  EventLoop& loop_;
  UniqueFd client_, inside_;
  Direction up_, down_;  // client -> inside, inside -> client
  size_t pipe_size_ = 0;
  std::function<void()> done_;
};

// Closes `fd` so that the peer gets a reset rather than an orderly end (SO_LINGER 0).
void close_with_reset(UniqueFd fd);

}  // namespace roost::ns::builtin
