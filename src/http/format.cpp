#include "http/format.hpp"

#include <algorithm>

namespace roost::http {

std::string http_date(std::time_t when) {
  std::tm tm{};
  gmtime_r(&when, &tm);
  char text[40];
  // strftime's %a and %b follow the locale; roost never calls setlocale, so they are C's names.
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

namespace {

// Go's DetectContentType, for the bodies roost sends: text is "text/plain; charset=utf-8",
// anything with a binary control byte is "application/octet-stream".
std::string sniff_content_type(const std::string& body) {
  for (unsigned char c : body)
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) return "application/octet-stream";
  return "text/plain; charset=utf-8";
}

void add_field(std::string& out, const std::string& name, const std::string& value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

}  // namespace

std::string format_response(const Response& response, const ResponseContext& context) {
  std::string reason = response.reason.empty() ? reason_phrase(response.status) : response.reason;
  std::string out = (context.minor_version == 0 ? "HTTP/1.0 " : "HTTP/1.1 ") + std::to_string(response.status) + " " +
                    reason + "\r\n";
  auto fields = response.headers.fields();
  std::stable_sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [name, value] : fields) add_field(out, name, value);
  add_field(out, "Date", http_date(context.now ? context.now : std::time(nullptr)));
  if (!response.headers.find("Content-Length") && (!context.head || !response.body.empty()))
    add_field(out, "Content-Length", std::to_string(response.body.size()));
  if (!response.headers.find("Content-Type") && !response.body.empty())
    add_field(out, "Content-Type", sniff_content_type(response.body));
  if (context.close) add_field(out, "Connection", "close");
  else if (context.minor_version == 0 && context.keep_alive_1_0) add_field(out, "Connection", "keep-alive");
  out += "\r\n";
  if (!context.head) out += response.body;
  return out;
}

std::string format_parse_error(int status, const std::string& detail) {
  std::string text = std::to_string(status) + " " + reason_phrase(status);
  if (!detail.empty()) text += ": " + detail;
  return "HTTP/1.1 " + text + "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n" + text;
}

std::string format_request(const std::string& method, const std::string& target, const Headers& headers,
                           const std::string& body) {
  std::string out = method + " " + target + " HTTP/1.1\r\n";
  if (!headers.find("Host")) add_field(out, "Host", "localhost");
  for (const auto& [name, value] : headers.fields()) add_field(out, name, value);
  if (!body.empty() || method == "POST" || method == "PUT") add_field(out, "Content-Length", std::to_string(body.size()));
  out += "\r\n";
  out += body;
  return out;
}

}  // namespace roost::http
