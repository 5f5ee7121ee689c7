#include "http/client.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "http/format.hpp"
#include "util/error.hpp"

namespace roost::http {

void Client::connect_socket() {
  sockaddr_un addr{};
  if (socket_path_.size() >= sizeof addr.sun_path) throw Error("socket path too long: " + socket_path_);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  while (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    if (errno != EINTR) throw_errno("connect to " + socket_path_);
  fd_ = std::move(fd);
  buffer_.clear();
}

namespace {

// False when the peer closed before taking everything (a kept-alive connection it had dropped).
bool send_all(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) return false;
    if (n < 0) throw_errno("send to the API socket");
    sent += size_t(n);
  }
  return true;
}

}  // namespace

Response Client::request(const std::string& method, const std::string& target, const std::string& body,
                         const Headers& headers) {
  std::string message = format_request(method, target, headers, body);
  bool reused = fd_.valid();
  if (!reused) connect_socket();
  if (!send_all(fd_.get(), message)) {
    if (!reused) throw Error("the API socket closed the connection");
    connect_socket();  // the server had closed the idle connection: one fresh try
    if (!send_all(fd_.get(), message)) throw Error("the API socket closed the connection");
  }
  Response response = read_response(method == "HEAD");
  const std::string* connection = response.headers.find("Connection");
  if (connection && equals_ignore_case(*connection, "close")) fd_.reset();
  return response;
}

Response Client::read_response(bool head_request) {
  Limits limits;
  limits.max_body_bytes = 16 * 1024 * 1024;
  bool at_eof = false;
  for (;;) {
    Response response;
    ParseResult parsed = parse_response(buffer_, limits, at_eof, head_request, response);
    if (parsed.state == ParseState::done) {
      buffer_.erase(0, parsed.consumed);
      if (at_eof) fd_.reset();
      return response;
    }
    if (parsed.state == ParseState::error || at_eof) {
      fd_.reset();
      throw Error("bad response from " + socket_path_ + (at_eof ? ": connection closed" : ""));
    }
    char chunk[16384];
    ssize_t n = read(fd_.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read from " + socket_path_);
    if (n == 0) at_eof = true;
    buffer_.append(chunk, size_t(n));
  }
}

}  // namespace roost::http
