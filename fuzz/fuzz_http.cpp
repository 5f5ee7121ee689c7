// libFuzzer target: bytes a client sends to the API socket. The request parser never throws and
// never reads past the input; a parsed request consumed at most the input, and every proper
// prefix of what it consumed needs more bytes (a message split across reads parses the same).
// The body of a parsed request then goes through the API's JSON decoder, which may only answer
// with a roost::Error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http/message.hpp"
#include "ns/api/api_json.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  roost::http::Limits limits;
  limits.max_header_bytes = 2048;
  limits.max_body_bytes = 2048;
  roost::http::Request request;
  roost::http::ParseResult result = roost::http::parse_request(text, limits, request);
  if (result.state == roost::http::ParseState::error && result.error_status < 400) abort();
  if (result.state != roost::http::ParseState::done) return 0;
  if (result.consumed == 0 || result.consumed > size) abort();
  roost::http::Request again;
  if (roost::http::parse_request(text.substr(0, result.consumed - 1), limits, again).state ==
      roost::http::ParseState::done)
    abort();
  try {
    roost::ns::decode_port_spec(request.body);
  } catch (const roost::Error&) {
  }
  return 0;
}
