#include "http/message.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace roost::http {

bool equals_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

const std::string* Headers::find(std::string_view name) const {
  for (const auto& [key, value] : fields_)
    if (equals_ignore_case(key, name)) return &value;
  return nullptr;
}

std::string reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Request Entity Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

namespace {

// Why parsing stopped, carried out of the helpers below by exception-free returns.
struct Failure {
  int status;
  std::string detail;
};

ParseResult failed(int status, std::string detail = {}) {
  ParseResult r;
  r.state = ParseState::error;
  r.error_status = status;
  r.error_detail = std::move(detail);
  return r;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}
bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One line ending in LF (a CR before it is dropped), or nullopt when the LF has not arrived.
std::optional<std::string_view> next_line(std::string_view buffer, size_t& pos) {
  size_t lf = buffer.find('\n', pos);
  if (lf == std::string_view::npos) return std::nullopt;
  std::string_view line = buffer.substr(pos, lf - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  pos = lf + 1;
  return line;
}

// "HTTP/1.1" -> minor version 1; major versions other than 1 are 505, anything else 400.
std::optional<Failure> parse_version(std::string_view text, int& minor) {
  if (text.size() != 8 || text.substr(0, 5) != "HTTP/" || text[6] != '.' || !std::isdigit(static_cast<unsigned char>(text[5])) ||
      !std::isdigit(static_cast<unsigned char>(text[7])))
    return Failure{400, ""};
  if (text[5] != '1') return Failure{505, "unsupported protocol version"};
  minor = text[7] - '0';
  return std::nullopt;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    int hi = i + 1 < s.size() ? hex_value(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) return std::nullopt;
    out += char(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// Origin form "/path?query", or absolute form "http://host/path?query" (its path is used).
std::optional<Failure> parse_target(std::string_view target, Request& out) {
  std::string_view path = target;
  if (size_t scheme = path.find("://"); path.substr(0, 1) != "/" && scheme != std::string_view::npos) {
    size_t slash = path.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
  }
  if (path.empty() || path.front() != '/') return Failure{400, ""};
  path = path.substr(0, path.find('?'));
  auto decoded = percent_decode(path);
  if (!decoded) return Failure{400, ""};
  out.target = std::string(target);
  out.path = std::move(*decoded);
  return std::nullopt;
}

std::optional<Failure> parse_request_line(std::string_view line, Request& out) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return Failure{400, ""};
  std::string_view method = line.substr(0, sp1);
  if (!is_token(method)) return Failure{400, ""};
  out.method = std::string(method);
  if (auto f = parse_version(line.substr(sp2 + 1), out.minor_version)) return f;
  return parse_target(line.substr(sp1 + 1, sp2 - sp1 - 1), out);
}

std::optional<Failure> parse_status_line(std::string_view line, Response& out) {
  int minor = 0;
  if (line.size() < 12 || parse_version(line.substr(0, 8), minor) || line[8] != ' ') return Failure{400, "malformed status line"};
  auto [end, ec] = std::from_chars(line.data() + 9, line.data() + 12, out.status);
  if (ec != std::errc() || end != line.data() + 12 || (line.size() > 12 && line[12] != ' '))
    return Failure{400, "malformed status line"};
  out.reason = std::string(line.size() > 13 ? line.substr(13) : std::string_view());
  return std::nullopt;
}

std::optional<Failure> parse_field(std::string_view line, Headers& headers) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return Failure{400, ""};
  headers.add(std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
  return std::nullopt;
}

// The body's framing, from Transfer-Encoding and Content-Length. As Go's net/http, chunked wins
// over a Content-Length; two different lengths, or one that is not a number, are a bad request.
struct Framing {
  enum Kind { none, sized, chunked, until_eof } kind = none;
  size_t length = 0;
};

std::optional<Failure> body_framing(const Headers& headers, bool is_request, Framing& framing) {
  if (const std::string* te = headers.find("Transfer-Encoding")) {
    if (!equals_ignore_case(*te, "chunked")) return Failure{501, "unsupported transfer encoding"};
    framing.kind = Framing::chunked;
    return std::nullopt;
  }
  std::optional<size_t> length;
  for (const auto& [name, value] : headers.fields()) {
    if (!equals_ignore_case(name, "Content-Length")) continue;
    size_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() || (length && *length != n))
      return Failure{400, ""};
    length = n;
  }
  if (length) framing = {Framing::sized, *length};
  else framing.kind = is_request ? Framing::none : Framing::until_eof;
  return std::nullopt;
}

// Decodes a chunked body starting at `pos`. need_more while incomplete.
ParseResult decode_chunked(std::string_view buffer, size_t pos, const Limits& limits, std::string& body) {
  body.clear();
  for (;;) {
    auto line = next_line(buffer, pos);
    if (!line) return {};
    std::string_view size_text = trim(line->substr(0, line->find(';')));
    size_t size = 0;
    auto [end, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (size_text.empty() || ec != std::errc() || end != size_text.data() + size_text.size()) return failed(400);
    if (body.size() + size > limits.max_body_bytes) return failed(413);
    if (size == 0) break;
    if (buffer.size() < pos + size + 2) return {};
    if (buffer.substr(pos + size, 2) != "\r\n" && buffer[pos + size] != '\n') return failed(400);
    body.append(buffer.substr(pos, size));
    pos += size + (buffer[pos + size] == '\r' ? 2 : 1);
  }
  for (;;) {  // trailer fields, up to the blank line; read and dropped
    auto line = next_line(buffer, pos);
    if (!line) return {};
    if (line->empty()) break;
  }
  ParseResult r;
  r.state = ParseState::done;
  r.consumed = pos;
  return r;
}

ParseResult read_body(std::string_view buffer, size_t pos, const Framing& framing, const Limits& limits, bool at_eof,
                      std::string& body) {
  ParseResult r;
  switch (framing.kind) {
    case Framing::chunked: return decode_chunked(buffer, pos, limits, body);
    case Framing::sized:
      if (framing.length > limits.max_body_bytes) return failed(413);
      if (buffer.size() - pos < framing.length) return r;
      body = std::string(buffer.substr(pos, framing.length));
      r.consumed = pos + framing.length;
      break;
    case Framing::until_eof:
      if (buffer.size() - pos > limits.max_body_bytes) return failed(413);
      if (!at_eof) return r;
      body = std::string(buffer.substr(pos));
      r.consumed = buffer.size();
      break;
    case Framing::none: r.consumed = pos; break;
  }
  r.state = ParseState::done;
  return r;
}

// Reads the header block (start line handed to `start`, then fields) from `buffer`. Returns the
// position after the blank line, 0 while it is incomplete, or a failure.
template <typename StartLine>
std::optional<Failure> read_head(std::string_view buffer, const Limits& limits, bool skip_blank_lines, StartLine start,
                                 Headers& headers, size_t& end) {
  end = 0;
  size_t pos = 0;
  std::optional<std::string_view> line;
  // RFC 9112 §2.2: a server ignores empty lines before the request line.
  while ((line = next_line(buffer, pos)) && line->empty() && skip_blank_lines) {}
  if (line) {
    if (auto f = start(*line)) return f;
    while ((line = next_line(buffer, pos)) && !line->empty())
      if (auto f = parse_field(*line, headers)) return f;
  }
  if (!line) {
    if (buffer.size() > limits.max_header_bytes) return Failure{431, ""};
    return std::nullopt;
  }
  if (pos > limits.max_header_bytes) return Failure{431, ""};
  end = pos;
  return std::nullopt;
}

bool has_token(const std::string* value, std::string_view token) {
  if (!value) return false;
  std::string_view rest = *value;
  for (;;) {
    size_t comma = rest.find(',');
    if (equals_ignore_case(trim(rest.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) return false;
    rest.remove_prefix(comma + 1);
  }
}

bool wants_keep_alive(const Request& request) {
  const std::string* connection = request.headers.find("Connection");
  if (request.minor_version == 0) return has_token(connection, "keep-alive");
  return !has_token(connection, "close");
}

}  // namespace

ParseResult parse_request(std::string_view buffer, const Limits& limits, Request& out) {
  out = Request{};
  size_t head_end = 0;
  auto start = [&](std::string_view line) { return parse_request_line(line, out); };
  if (auto f = read_head(buffer, limits, true, start, out.headers, head_end)) return failed(f->status, f->detail);
  if (head_end == 0) return {};
  if (out.minor_version >= 1 && !out.headers.find("Host")) return failed(400, "missing required Host header");
  Framing framing;
  if (auto f = body_framing(out.headers, true, framing)) return failed(f->status, f->detail);
  out.keep_alive = wants_keep_alive(out);
  ParseResult result = read_body(buffer, head_end, framing, limits, false, out.body);
  const std::string* expect = out.headers.find("Expect");
  result.expects_continue = result.state == ParseState::need_more && expect && equals_ignore_case(*expect, "100-continue");
  return result;
}

ParseResult parse_response(std::string_view buffer, const Limits& limits, bool at_eof, bool head_request,
                           Response& out) {
  out = Response{};
  size_t head_end = 0;
  auto start = [&](std::string_view line) { return parse_status_line(line, out); };
  if (auto f = read_head(buffer, limits, false, start, out.headers, head_end)) return failed(f->status, f->detail);
  if (head_end == 0) return {};
  Framing framing;
  bool no_body = head_request || out.status / 100 == 1 || out.status == 204 || out.status == 304;
  if (!no_body)
    if (auto f = body_framing(out.headers, false, framing)) return failed(f->status, f->detail);
  return read_body(buffer, head_end, framing, limits, at_eof, out.body);
}

}  // namespace roost::http
