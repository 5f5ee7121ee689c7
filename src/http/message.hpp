// HTTP/1.x messages and their incremental parser, shared by the server (requests) and the client
// (responses). The parser is a pure function of the bytes received so far, so a message split
// across reads, pipelined behind another, or cut short is parsed the same way and easy to test.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace roost::http {

// Header fields in arrival order; names compare case-insensitively.
class Headers {
 public:
  void add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
  const std::string* find(std::string_view name) const;  // the first field of that name, or null
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

bool equals_ignore_case(std::string_view a, std::string_view b);

struct Request {
  std::string method;
  std::string target;   // as sent: "/v1/ports/3?x=1"
  std::string path;     // percent-decoded path of the target: "/v1/ports/3"
  int minor_version = 1;  // HTTP/1.0 or HTTP/1.1
  Headers headers;
  std::string body;
  bool keep_alive = true;  // HTTP/1.1 without "Connection: close", or 1.0 with "keep-alive"
};

struct Response {
  int status = 200;
  std::string reason;   // empty: the standard text for the status
  Headers headers;
  std::string body;
};

struct Limits {
  size_t max_header_bytes = 64 * 1024;  // request line and header fields together
  size_t max_body_bytes = 1024 * 1024;
};

enum class ParseState { need_more, done, error };

struct ParseResult {
  ParseState state = ParseState::need_more;
  size_t consumed = 0;      // bytes of the buffer that made up the message (when done)
  int error_status = 0;     // when error: 400, 413, 431, 501 or 505, as Go's net/http answers
  std::string error_detail; // "missing required Host header"; empty for a plain "Bad Request"
  // need_more with the head complete and "Expect: 100-continue": the client (curl, for bodies
  // over 1 KiB) waits for "100 Continue" before it sends the body.
  bool expects_continue = false;
};

// Parses one request at the start of `buffer`.
ParseResult parse_request(std::string_view buffer, const Limits& limits, Request& out);
// Parses one response at the start of `buffer`. `at_eof`: the peer has closed, so a response
// without a length ends here. `head_request`: the response to a HEAD carries no body.
ParseResult parse_response(std::string_view buffer, const Limits& limits, bool at_eof, bool head_request,
                           Response& out);

std::string reason_phrase(int status);  // "Not Found"; "" for a status we never send

}  // namespace roost::http
