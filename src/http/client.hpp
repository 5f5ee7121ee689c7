// A minimal blocking HTTP/1.1 client for a unix socket (roost ns ctl's, and the tests').
//
// Written here on the server's message parser rather than taken from libcurl: it speaks plain
// HTTP to a local unix socket, with no TLS, proxies or redirects to follow, and `roost ns` (one
// program with the client inside) must not load libcurl and its dependencies on every start.
#pragma once

#include <string>

#include "http/message.hpp"
#include "util/unique_fd.hpp"

namespace roost::http {

class Client {
 public:
  explicit Client(std::string socket_path) : socket_path_(std::move(socket_path)) {}
  // Sends one request and reads its response, reusing the connection while the server keeps it
  // open. Throws roost::Error when the socket cannot be reached or the answer is not HTTP.
  Response request(const std::string& method, const std::string& target, const std::string& body = {},
                   const Headers& headers = {});

 private:
  void connect_socket();
  Response read_response(bool head_request);

  std::string socket_path_;
  UniqueFd fd_;
  std::string buffer_;  // bytes received beyond the last response
};

}  // namespace roost::http
