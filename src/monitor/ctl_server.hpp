// The monitor's control socket (ctl.sock, SOCK_SEQPACKET, 0600): accepts connections on the event
// loop, reads each one's first message (a ctl_protocol Request) and hands it on: an attach becomes
// a client of the AttachHub, kill and console are answered at once, stop when the init has exited.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "monitor/ctl_protocol.hpp"
#include "util/event_loop.hpp"
#include "util/unique_fd.hpp"

namespace roost::monitor {

struct CtlHandlers {
  std::function<void(UniqueFd sock, bool wants_stdin)> attach;
  std::function<Reply(int signal)> kill;
  // Takes the connection; answers on it (send_reply) once the container has stopped.
  std::function<void(UniqueFd sock, int signal, int timeout_seconds)> stop;
  // A detached exec session's pty master (the descriptor that came with the request).
  std::function<Reply(UniqueFd master)> console;
};

// One reply message; a client that went away is not an error.
void send_reply(int sock, const Reply& reply);

class CtlServer {
 public:
  // Binds path (a stale socket file there is replaced) and listens.
  CtlServer(EventLoop& loop, std::string path, CtlHandlers handlers);
  ~CtlServer();  // stops listening and unlinks the socket
  CtlServer(const CtlServer&) = delete;
  CtlServer& operator=(const CtlServer&) = delete;

  // A connection whose first message is already waiting or on its way (fd 4 of a foreground
  // run): handled as an accepted one.
  void adopt(UniqueFd sock);

 private:
  void on_accept();
  void on_first_message(int fd);

  EventLoop& loop_;
  std::string path_;
  CtlHandlers handlers_;
  UniqueFd listener_;
  std::map<int, UniqueFd> pending_;  // accepted, first message not read yet
};

}  // namespace roost::monitor
