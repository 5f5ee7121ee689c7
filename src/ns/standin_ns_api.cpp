// stand-in, removed at merge: parse_port_spec and validate_port_spec belong to the ns-ports helper
// (src/ns/port/port_spec.cpp). Just enough of rootlesskit's rules and messages for the API and
// `roost ns ctl` to be built and tested before that lands.
#include <arpa/inet.h>

#include <charconv>
#include <vector>

#include "ns/port/port_spec.hpp"
#include "util/error.hpp"

namespace roost::ns {

namespace {

// Go's %q of an int: a quoted rune literal.
std::string quote_rune(int value) {
  if (value < 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return "'\xEF\xBF\xBD'";
  if (value < 0x20 || value == 0x7f) {
    const char* hex = "0123456789abcdef";
    return std::string("'\\x") + hex[value >> 4] + hex[value & 15] + "'";
  }
  if (value == '\'' || value == '\\') return std::string("'\\") + char(value) + "'";
  std::string utf8;
  if (value < 0x80) utf8 = char(value);
  else if (value < 0x800) utf8 = {char(0xC0 | value >> 6), char(0x80 | (value & 0x3F))};
  else if (value < 0x10000) utf8 = {char(0xE0 | value >> 12), char(0x80 | ((value >> 6) & 0x3F)), char(0x80 | (value & 0x3F))};
  else utf8 = {char(0xF0 | value >> 18), char(0x80 | ((value >> 12) & 0x3F)), char(0x80 | ((value >> 6) & 0x3F)), char(0x80 | (value & 0x3F))};
  return "'" + utf8 + "'";
}

bool is_ip(const std::string& text) {
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

int parse_port(std::string_view text, std::string_view whole) {
  int port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw Error("unexpected PortSpec string: \"" + std::string(whole) + "\"");
  return port;
}

std::string unbracket(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  return std::string(text);
}

}  // namespace

PortSpec parse_port_spec(std::string_view text) {
  size_t slash = text.rfind('/');
  if (slash == std::string_view::npos) throw Error("missing proto in PortSpec string: \"" + std::string(text) + "\"");
  PortSpec spec;
  spec.proto = std::string(text.substr(slash + 1));
  std::vector<std::string_view> parts;
  std::string_view rest = text.substr(0, slash);
  while (!rest.empty()) {
    size_t end = rest.front() == '[' ? rest.find(']') + 1 : rest.find(':');
    if (end == 0) end = std::string_view::npos;
    parts.push_back(rest.substr(0, end));
    rest = end >= rest.size() ? std::string_view() : rest.substr(end + 1);
  }
  if (parts.size() < 2 || parts.size() > 4) throw Error("unexpected PortSpec string: \"" + std::string(text) + "\"");
  size_t i = 0;
  if (parts.size() >= 3) spec.parent_ip = unbracket(parts[i++]);
  spec.parent_port = parse_port(parts[i++], text);
  if (parts.size() == 4) spec.child_ip = unbracket(parts[i++]);
  spec.child_port = parse_port(parts[i], text);
  return spec;
}

void validate_port_spec(const PortSpec& spec) {
  static const char* const protos[] = {"tcp", "tcp4", "tcp6", "udp", "udp4", "udp6", "sctp", "sctp4", "sctp6"};
  bool known = false;
  for (const char* p : protos) known = known || spec.proto == p;
  if (!known) throw Error("unknown proto: \"" + spec.proto + "\"");
  if (!spec.parent_ip.empty() && !is_ip(spec.parent_ip)) throw Error("invalid ParentIP: \"" + spec.parent_ip + "\"");
  if (!spec.child_ip.empty() && !is_ip(spec.child_ip)) throw Error("invalid ChildIP: \"" + spec.child_ip + "\"");
  if (spec.parent_port <= 0 || spec.parent_port > 65535) throw Error("invalid ParentPort: " + quote_rune(spec.parent_port));
  if (spec.child_port <= 0 || spec.child_port > 65535) throw Error("invalid ChildPort: " + quote_rune(spec.child_port));
}

}  // namespace roost::ns
