// The small formats of the registry protocol that the client parses and builds: WWW-Authenticate
// challenges (RFC 7235), token responses (docker-registry's spec/auth/token.md), Content-Range
// (RFC 9110), the registries' error bodies (distribution-spec), and the URL and Basic encodings.
// Pure functions, apart from the client so that they are tested alone.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roost::registry {

struct Challenge {
  std::string scheme;                         // lower case: "bearer", "basic"
  std::map<std::string, std::string> params;  // names lower case, values unquoted
  std::string token68;                        // the other form of credentials, rarely used
  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

// Every challenge of one or more WWW-Authenticate values (several may share one header, separated
// by commas). Throws roost::Error on text that is not RFC 7235 (an unterminated quoted string,
// a parameter without a value).
std::vector<Challenge> parse_www_authenticate(std::string_view header);

struct TokenResponse {
  std::string token;          // "token", else "access_token"
  int64_t expires_in = 60;    // seconds, at least 60 (the spec's default and minimum)
  std::string refresh_token;  // "" when none
};
// Throws roost::Error when the body is not JSON with a token.
TokenResponse parse_token_response(std::string_view body);

struct ContentRange {
  int64_t first = 0, last = 0;  // inclusive
  int64_t total = -1;           // -1 for "*"
};
// "bytes 100-199/200" or "bytes 100-199/*"; nullopt for anything else.
std::optional<ContentRange> parse_content_range(std::string_view value);

// "code: message" of the first entry of {"errors":[{"code","message"}]}, the code in lower case
// with spaces for underscores as Docker prints it ("unauthorized: authentication required",
// "manifest unknown: manifest unknown"); "" when the body is not that.
std::string registry_error_message(std::string_view body);

// RFC 3986 percent-encoding of everything but the unreserved characters.
std::string percent_encode(std::string_view text);
std::string base64_encode(std::string_view bytes);
// Throws roost::Error naming `what` when the text is not base64.
std::string base64_decode(std::string_view text, const std::string& what);

// "Not Found" for 404: HTTP/2 answers carry no reason phrase.
std::string http_reason(long status);

}  // namespace roost::registry
