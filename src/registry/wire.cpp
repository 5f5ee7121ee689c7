#include "registry/wire.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace roost::registry {
namespace {

// RFC 9110 tchar.
bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}
bool is_token68_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-._~+/").find(c) != std::string_view::npos;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

class ChallengeParser {
 public:
  explicit ChallengeParser(std::string_view text) : s_(text) {}

  std::vector<Challenge> parse() {
    std::vector<Challenge> out;
    for (;;) {
      skip_list_separators();
      if (at_end()) break;
      Challenge c;
      c.scheme = lower(token());
      if (c.scheme.empty()) fail("an authentication scheme was expected");
      parse_rest(c);
      out.push_back(std::move(c));
    }
    return out;
  }

 private:
  // After the scheme: nothing, a token68, or auth-params up to the next challenge.
  void parse_rest(Challenge& c) {
    if (!skip_spaces()) {  // no space: the challenge ends here (a comma or the end must follow)
      if (!at_end() && s_[i_] != ',') fail("unexpected character after the scheme");
      return;
    }
    if (try_token68(c)) return;
    bool first = true;
    for (;;) {
      if (at_end()) return;
      if (s_[i_] == ',') {  // empty list elements are allowed (#rule)
        ++i_;
        skip_spaces();
        first = false;
        continue;
      }
      size_t start = i_;
      std::string name = token();
      skip_spaces();
      if (name.empty() || at_end() || s_[i_] != '=') {
        // A token not followed by "=" after a comma starts the next challenge.
        if (!first && !name.empty()) {
          i_ = start;
          return;
        }
        fail("a parameter name=value was expected");
      }
      ++i_;  // '='
      skip_spaces();
      std::string value;
      if (!at_end() && s_[i_] == '"') {
        value = quoted();
      } else {
        value = token();
        if (value.empty()) fail("parameter " + name + " has no value");
      }
      c.params[lower(name)] = std::move(value);
      skip_spaces();
      if (at_end()) return;
      if (s_[i_] != ',') fail("a comma was expected after parameter " + name);
      ++i_;
      skip_spaces();
      first = false;
    }
  }

  // token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=", alone up to a comma
  // or the end ("realm=x" is a parameter: after its "=" comes more than padding).
  bool try_token68(Challenge& c) {
    size_t j = i_;
    while (j < s_.size() && is_token68_char(s_[j])) ++j;
    if (j == i_) return false;
    while (j < s_.size() && s_[j] == '=') ++j;
    size_t end = j;
    while (j < s_.size() && (s_[j] == ' ' || s_[j] == '\t')) ++j;
    if (j != s_.size() && s_[j] != ',') return false;
    c.token68 = std::string(s_.substr(i_, end - i_));
    i_ = j;
    return true;
  }

  std::string token() {
    size_t start = i_;
    while (!at_end() && is_tchar(s_[i_])) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }
  std::string quoted() {
    ++i_;  // opening quote
    std::string v;
    while (!at_end()) {
      char ch = s_[i_++];
      if (ch == '"') return v;
      if (ch == '\\') {
        if (at_end()) break;
        ch = s_[i_++];
      }
      v += ch;
    }
    fail("unterminated quoted string");
  }
  bool skip_spaces() {
    size_t start = i_;
    while (!at_end() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
    return i_ != start;
  }
  void skip_list_separators() {
    while (!at_end() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == ',')) ++i_;
  }
  bool at_end() const { return i_ >= s_.size(); }
  [[noreturn]] void fail(const std::string& why) {
    throw Error("malformed WWW-Authenticate header \"" + std::string(s_) + "\": " + why + " at offset " +
                std::to_string(i_));
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

std::vector<Challenge> parse_www_authenticate(std::string_view header) {
  ChallengeParser p(header);
  return p.parse();
}

TokenResponse parse_token_response(std::string_view body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error("the token server's answer is not a JSON object");
  TokenResponse t;
  for (const char* key : {"token", "access_token"}) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string() && !it->get<std::string>().empty()) {
      t.token = it->get<std::string>();
      break;
    }
  }
  if (t.token.empty()) throw Error("the token server's answer has no token");
  auto exp = j.find("expires_in");
  if (exp != j.end() && exp->is_number_integer()) t.expires_in = exp->get<int64_t>();
  if (t.expires_in < 60) t.expires_in = 60;
  auto refresh = j.find("refresh_token");
  if (refresh != j.end() && refresh->is_string()) t.refresh_token = refresh->get<std::string>();
  return t;
}

std::optional<ContentRange> parse_content_range(std::string_view v) {
  auto number = [](std::string_view s, int64_t& out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && out >= 0;
  };
  if (v.substr(0, 6) != "bytes ") return std::nullopt;
  v.remove_prefix(6);
  size_t dash = v.find('-'), slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) return std::nullopt;
  ContentRange r;
  if (!number(v.substr(0, dash), r.first) || !number(v.substr(dash + 1, slash - dash - 1), r.last))
    return std::nullopt;
  std::string_view total = v.substr(slash + 1);
  if (total != "*" && !number(total, r.total)) return std::nullopt;
  if (r.last < r.first || (r.total >= 0 && r.last >= r.total)) return std::nullopt;
  return r;
}

std::string registry_error_message(std::string_view body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return {};
  auto errors = j.find("errors");
  if (errors == j.end() || !errors->is_array() || errors->empty() || !(*errors)[0].is_object()) return {};
  const auto& e = (*errors)[0];
  // As Docker's errcode words it: MANIFEST_UNKNOWN -> "manifest unknown".
  std::string code = e.contains("code") && e["code"].is_string() ? lower(e["code"].get<std::string>()) : "";
  std::replace(code.begin(), code.end(), '_', ' ');
  std::string message = e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "";
  if (code.empty()) return message;
  if (message.empty()) return code;
  return code + ": " + message;
}

std::string percent_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string base64_decode(std::string_view text, const std::string& what) {
  std::string s(text);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.size() % 4 != 0) throw Error(what + " is not valid base64");
  std::string out(s.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) throw Error(what + " is not valid base64");
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t pad = 0;
  if (!s.empty() && s.back() == '=') pad++;
  if (s.size() > 1 && s[s.size() - 2] == '=') pad++;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string http_reason(long status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

}  // namespace roost::registry
