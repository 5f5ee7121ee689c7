// Writing HTTP/1.x messages as Go's net/http writes them, header order included: clients and
// tests that compare bytes with rootlesskit see the same response.
#pragma once

#include <ctime>
#include <string>

#include "http/message.hpp"

namespace roost::http {

struct ResponseContext {
  int minor_version = 1;    // the request's: Go answers HTTP/1.0 to HTTP/1.0
  bool close = false;       // the connection closes after this response: "Connection: close"
  bool keep_alive_1_0 = false;  // an HTTP/1.0 request that asked for keep-alive gets it confirmed
  bool head = false;        // a HEAD request: no body and, when there is none, no Content-Length
  std::time_t now = 0;      // for the Date field; 0: the current time
};

// Status line, the handler's fields sorted by name, then Date, Content-Length, a Content-Type
// sniffed from the body when the handler set none, Connection; then the body.
std::string format_response(const Response& response, const ResponseContext& context);

// Go's net/http answer to a request it could not parse, after which it closes the connection:
// "HTTP/1.1 400 Bad Request: DETAIL" with the same text as body, no Date, no length.
std::string format_parse_error(int status, const std::string& detail);

// "Fri, 04 Dec 2026 02:50:13 GMT" (RFC 9110 IMF-fixdate).
std::string http_date(std::time_t when);

// A request from the client: "METHOD TARGET HTTP/1.1", Host, the given fields, Content-Length
// when there is a body (or the method is POST or PUT), then the body.
std::string format_request(const std::string& method, const std::string& target, const Headers& headers,
                           const std::string& body);

}  // namespace roost::http
