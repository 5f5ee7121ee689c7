#include "ns/port/port_spec.hpp"

#include <arpa/inet.h>

#include <array>
#include <optional>
#include <vector>

#include "ns/port/go_format.hpp"
#include "util/error.hpp"

namespace roost::ns {
namespace {

// rootlesskit scans "PARENTIP:PARENTPORT[:CHILDIP]" with Go's text/scanner, whose tokens decide
// what is skipped after a ']' and what is dropped (white space, comments). This reproduces the
// tokens that can occur in such text: identifiers, numbers, quoted literals, single characters.
class GoTokens {
 public:
  explicit GoTokens(std::string_view text) : s_(text) {}
  // The next token's text, or nullopt at the end.
  std::optional<std::string_view> next() {
    skip_blanks_and_comments();
    if (i_ >= s_.size()) return std::nullopt;
    size_t start = i_;
    char c = s_[i_];
    if (ident_start(c)) {
      while (i_ < s_.size() && (ident_start(s_[i_]) || digit(s_[i_]))) i_++;
    } else if (digit(c) || (c == '.' && i_ + 1 < s_.size() && digit(s_[i_ + 1]))) {
      scan_number();
    } else if (c == '"' || c == '\'' || c == '`') {
      scan_quoted(c);
    } else {
      i_++;
    }
    return s_.substr(start, i_ - start);
  }

 private:
  static bool digit(char c) { return c >= '0' && c <= '9'; }
  static bool ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (unsigned char)c >= 0x80;
  }
  bool at(char c, size_t k = 0) const { return i_ + k < s_.size() && s_[i_ + k] == c; }
  void skip_blanks_and_comments() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        i_++;
      } else if (c == '/' && at('/', 1)) {
        while (i_ < s_.size() && s_[i_] != '\n') i_++;
      } else if (c == '/' && at('*', 1)) {
        size_t end = s_.find("*/", i_ + 2);
        i_ = end == std::string_view::npos ? s_.size() : end + 2;
      } else {
        return;
      }
    }
  }
  // Go number syntax: prefix, digits with '_', a fraction, an exponent, an 'i' suffix.
  void scan_number() {
    bool hex = at('0') && (at('x', 1) || at('X', 1));
    if (at('0') && (hex || at('b', 1) || at('B', 1) || at('o', 1) || at('O', 1))) i_ += 2;
    auto body = [&] {
      while (i_ < s_.size() && (digit(s_[i_]) || s_[i_] == '_' || (hex && std::isxdigit((unsigned char)s_[i_]))))
        i_++;
    };
    body();
    if (at('.')) {
      i_++;
      body();
    }
    char e = hex ? 'p' : 'e';
    if (i_ < s_.size() && (s_[i_] == e || s_[i_] == e - 32)) {
      i_++;
      if (at('+') || at('-')) i_++;
      while (i_ < s_.size() && (digit(s_[i_]) || s_[i_] == '_')) i_++;
    }
    if (at('i')) i_++;
  }
  void scan_quoted(char quote) {
    i_++;
    while (i_ < s_.size() && s_[i_] != quote && (quote == '`' || s_[i_] != '\n')) {
      if (s_[i_] == '\\' && quote != '`') i_++;
      i_++;
    }
    if (at(quote)) i_++;
  }

  std::string_view s_;
  size_t i_ = 0;
};

bool is_ip(const std::string& text) {
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

void validate_proto(const std::string& proto) {
  static const std::array<const char*, 9> known = {"tcp",  "tcp4",  "tcp6",  "udp",  "udp4",
                                                   "udp6", "sctp", "sctp4", "sctp6"};
  for (const char* p : known)
    if (proto == p) return;
  throw Error("unknown proto: " + go::quote(proto));
}

// The fields before the last ':', split as rootlesskit's scanner loop splits them: index 0
// parentIP, 1 parentPort, 2 childIP, and a fourth field appended to the child port.
void scan_fields(std::string_view text, std::string_view remainder, std::array<std::string, 5>& parts) {
  enum { kChildPort = 3 };
  GoTokens tokens(remainder);
  size_t index = 0;
  char delimiter = ':';
  while (auto token = tokens.next()) {
    if (index > kChildPort) throw Error("unexpected PortSpec string: " + go::quote(text));
    if (*token == "[") {
      delimiter = ']';
      continue;
    }
    if (token->size() == 1 && (*token)[0] == delimiter) {
      if (delimiter == ']') {
        delimiter = ':';
        tokens.next();  // the ':' after an IPv6 address, whatever it really is
      }
      index++;
      continue;
    }
    parts[index] += *token;
  }
}

}  // namespace

PortSpec parse_port_spec(std::string_view text) {
  enum { kParentIP, kParentPort, kChildIP, kChildPort, kProto };
  std::array<std::string, 5> parts;
  size_t proto_pos = text.rfind('/');
  if (proto_pos == std::string_view::npos)
    throw Error("missing proto in PortSpec string: " + go::quote(text));
  parts[kProto] = std::string(text.substr(proto_pos + 1));
  try {
    validate_proto(parts[kProto]);
  } catch (const Error& e) {
    throw Error("invalid PortSpec string: " + go::quote(text) + ": " + e.what());
  }
  size_t port_pos = text.rfind(':');
  if (port_pos == std::string_view::npos) throw Error("unexpected PortSpec string: " + go::quote(text));
  parts[kChildPort] = std::string(text.substr(port_pos + 1, proto_pos - port_pos - 1));
  scan_fields(text, text.substr(0, port_pos), parts);

  // rootlesskit's messages name the wrong field in three of these four cases; kept as they are,
  // since scripts match them.
  if (!parts[kParentIP].empty() && !is_ip(parts[kParentIP]))
    throw Error("unexpected ParentIP in PortSpec string: " + go::quote(text));
  if (!parts[kChildIP].empty() && !is_ip(parts[kChildIP]))
    throw Error("unexpected ParentIP in PortSpec string: " + go::quote(text));
  PortSpec spec;
  spec.proto = parts[kProto];
  spec.parent_ip = parts[kParentIP];
  spec.child_ip = parts[kChildIP];
  std::string error;
  auto parent_port = go::atoi(parts[kParentPort], error);
  if (!parent_port) throw Error("unexpected ChildPort in PortSpec string: " + go::quote(text) + ": " + error);
  auto child_port = go::atoi(parts[kChildPort], error);
  if (!child_port) throw Error("unexpected ParentPort in PortSpec string: " + go::quote(text) + ": " + error);
  spec.parent_port = *parent_port;
  spec.child_port = *child_port;
  return spec;
}

void validate_port_spec(const PortSpec& spec) {
  validate_proto(spec.proto);
  if (!spec.parent_ip.empty() && !is_ip(spec.parent_ip))
    throw Error("invalid ParentIP: " + go::quote(spec.parent_ip));
  if (!spec.child_ip.empty() && !is_ip(spec.child_ip))
    throw Error("invalid ChildIP: " + go::quote(spec.child_ip));
  if (spec.parent_port <= 0 || spec.parent_port > 65535)
    throw Error("invalid ParentPort: " + go::quote_rune(spec.parent_port));
  if (spec.child_port <= 0 || spec.child_port > 65535)
    throw Error("invalid ChildPort: " + go::quote_rune(spec.child_port));
}

}  // namespace roost::ns
