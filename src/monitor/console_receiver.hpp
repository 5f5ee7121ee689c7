// The receiving end of runc's console-socket protocol (terminals.md): a listening unix socket
// whose path goes to the runtime's --console-socket; the runtime connects during create or exec
// and sends the pty master with SCM_RIGHTS. Used by the monitor for a container's pty and by
// `roost exec -d -t` for a detached session's.
#pragma once

#include <string>

#include "monitor/unix_socket_path.hpp"
#include "util/unique_fd.hpp"

namespace roost::monitor {

class ConsoleReceiver {
 public:
  // Binds and listens at path (a stale file there is replaced).
  explicit ConsoleReceiver(std::string path);
  ~ConsoleReceiver();  // unlinks the socket
  ConsoleReceiver(const ConsoleReceiver&) = delete;
  ConsoleReceiver& operator=(const ConsoleReceiver&) = delete;

  // The path for the runtime's --console-socket (valid while this lives: a long one goes through
  // /proc/PID/fd, see unix_socket_path.hpp).
  std::string address_for_runtime() const { return address_.for_other_process(); }

  // After the runtime has returned: the master it sent (its connection waits in the queue);
  // roost::Error when it sent none.
  UniqueFd take_master();

 private:
  std::string path_;
  UnixSocketPath address_;
  UniqueFd listener_;
};

}  // namespace roost::monitor
