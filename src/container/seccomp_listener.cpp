#include "container/seccomp_listener.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "util/error.hpp"
#include "util/fd_passing.hpp"
#include "util/unique_fd.hpp"

namespace roost {

std::string container_process_state(pid_t pid, const std::string& metadata, const std::string& state_json) {
  nlohmann::ordered_json j = {{"ociVersion", "1.2.0"}, {"fds", {"seccompFd"}}, {"pid", pid}};
  if (!metadata.empty()) j["metadata"] = metadata;
  j["state"] = nlohmann::ordered_json::parse(state_json);
  return j.dump();
}

void send_to_seccomp_listener(const std::string& listener_path, int notify_fd, const std::string& process_state) {
  const std::string where = "linux.seccomp.listenerPath " + listener_path;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (listener_path.size() >= sizeof addr.sun_path)
    throw Error(where + ": longer than a socket path may be (" + std::to_string(sizeof addr.sun_path - 1) + " bytes)");
  std::memcpy(addr.sun_path, listener_path.c_str(), listener_path.size() + 1);
  UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) throw_errno(where + ": socket");
  int rc;
  while ((rc = ::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr)) < 0 && errno == EINTR) {
  }
  if (rc < 0) throw_errno(where + ": connect (is the seccomp agent listening?)");

  // The fd goes with the first bytes; the rest of the document follows on the same connection.
  ssize_t n = send_with_fd(sock.get(), process_state.data(), process_state.size(), notify_fd);
  if (n < 0) throw_errno(where + ": send the container process state");
  size_t sent = static_cast<size_t>(n);
  while (sent < process_state.size()) {
    n = ::send(sock.get(), process_state.data() + sent, process_state.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_errno(where + ": send the container process state");
    sent += static_cast<size_t>(n);
  }
}

}  // namespace roost
