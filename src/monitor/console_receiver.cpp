#include "monitor/console_receiver.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sys/terminal.hpp"
#include "util/error.hpp"

namespace roost::monitor {

ConsoleReceiver::ConsoleReceiver(std::string path) : path_(std::move(path)), address_(path_) {
  listener_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener_) throw_errno("create the console socket");
  ::unlink(path_.c_str());
  if (::bind(listener_.get(), address_.address(), address_.length()) < 0) throw_errno("bind the console socket " + path_);
  if (::listen(listener_.get(), 1) < 0) throw_errno("listen on the console socket " + path_);
}

ConsoleReceiver::~ConsoleReceiver() { ::unlink(path_.c_str()); }

UniqueFd ConsoleReceiver::take_master() {
  pollfd pfd{listener_.get(), POLLIN, 0};
  if (::poll(&pfd, 1, 0) != 1) throw Error("the runtime sent no terminal over the console socket");
  UniqueFd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!conn) throw_errno("accept on the console socket");
  UniqueFd master = receive_fd(conn.get());
  if (!master) throw Error("the runtime sent no terminal over the console socket");
  return master;
}

}  // namespace roost::monitor
