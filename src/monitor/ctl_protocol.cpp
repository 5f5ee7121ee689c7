// The control socket's messages: JSON requests and replies, attach frames.
#include "monitor/ctl_protocol.hpp"

#include <cctype>
#include <charconv>
#include <csignal>

#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace roost::monitor {

using json = nlohmann::json;

std::string encode_frame(FrameKind kind, std::string_view payload) {
  if (payload.size() > kMaxFramePayload) throw Error("attach frame of " + std::to_string(payload.size()) + " bytes is over the limit");
  std::string message;
  message.reserve(payload.size() + 1);
  message.push_back(static_cast<char>(kind));
  message.append(payload);
  return message;
}

std::optional<Frame> decode_frame(std::string_view message) {
  if (message.empty() || message.size() > kMaxFrameSize) return std::nullopt;
  const auto kind = static_cast<uint8_t>(message[0]);
  if (kind > static_cast<uint8_t>(FrameKind::StdinClosed)) return std::nullopt;
  return Frame{static_cast<FrameKind>(kind), message.substr(1)};
}

namespace {

// A whole decimal number, optionally negative; nothing else around it.
std::optional<long> parse_decimal(std::string_view text) {
  long value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::string encode_exit_payload(int exit_code) { return std::to_string(exit_code); }

std::optional<int> decode_exit_payload(std::string_view payload) {
  auto value = parse_decimal(payload);
  if (!value || *value < 0 || *value > 255) return std::nullopt;
  return static_cast<int>(*value);
}

std::string encode_resize_payload(WindowSize size) {
  return std::to_string(size.rows) + " " + std::to_string(size.cols);
}

std::optional<WindowSize> decode_resize_payload(std::string_view payload) {
  const size_t space = payload.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto rows = parse_decimal(payload.substr(0, space));
  auto cols = parse_decimal(payload.substr(space + 1));
  if (!rows || !cols || *rows < 1 || *rows > 65535 || *cols < 1 || *cols > 65535) return std::nullopt;
  return WindowSize{static_cast<unsigned short>(*rows), static_cast<unsigned short>(*cols)};
}

std::string encode_request(const Request& request) {
  json j;
  switch (request.op) {
    case Request::Op::Attach:
      j = {{"op", "attach"}, {"stdin", request.attach_stdin}};
      if (request.window) j["window"] = encode_resize_payload(*request.window);
      break;
    case Request::Op::Kill:
      j = {{"op", "kill"}, {"signal", request.signal}};
      break;
    case Request::Op::Stop:
      j = {{"op", "stop"}, {"signal", request.signal}, {"timeout", request.timeout_seconds}};
      break;
    case Request::Op::Console:
      j = {{"op", "console"}};
      break;
  }
  return j.dump();
}

namespace {

json parse_object(std::string_view text, const char* what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) throw Error(std::string("malformed ") + what + " on the control socket");
  return j;
}

int signal_field(const json& j) {
  auto it = j.find("signal");
  if (it == j.end() || !it->is_number_integer()) throw Error("control request without a signal");
  const long long signal = it->get<long long>();
  if (signal < 1 || signal > SIGRTMAX) throw Error("signal " + std::to_string(signal) + " out of range");
  return static_cast<int>(signal);
}

}  // namespace

Request decode_request(std::string_view text) {
  const json j = parse_object(text, "request");
  auto op = j.find("op");
  if (op == j.end() || !op->is_string()) throw Error("control request without an op");
  const std::string name = op->get<std::string>();
  Request request;
  if (name == "attach") {
    request.op = Request::Op::Attach;
    auto in = j.find("stdin");
    if (in != j.end() && !in->is_boolean()) throw Error("attach: \"stdin\" is not a boolean");
    request.attach_stdin = in != j.end() && in->get<bool>();
    if (auto window = j.find("window"); window != j.end()) {
      if (!window->is_string() || !(request.window = decode_resize_payload(window->get<std::string>())))
        throw Error("attach: \"window\" is not \"ROWS COLS\"");
    }
  } else if (name == "kill") {
    request.op = Request::Op::Kill;
    request.signal = signal_field(j);
  } else if (name == "stop") {
    request.op = Request::Op::Stop;
    request.signal = signal_field(j);
    auto timeout = j.find("timeout");
    if (timeout == j.end() || !timeout->is_number_integer() || timeout->get<long long>() < 0 ||
        timeout->get<long long>() > 1000000000)
      throw Error("stop: \"timeout\" is not a number of seconds");
    request.timeout_seconds = timeout->get<int>();
  } else if (name == "console") {
    request.op = Request::Op::Console;
  } else {
    throw Error("unknown control op \"" + name + "\"");
  }
  return request;
}

std::string encode_reply(const Reply& reply) {
  json j;
  if (!reply.ok()) {
    j["error"] = reply.error;
  } else {
    j["ok"] = true;
    if (reply.exit_code) j["exit_code"] = *reply.exit_code;
  }
  return j.dump();
}

Reply decode_reply(std::string_view text) {
  const json j = parse_object(text, "reply");
  Reply reply;
  if (auto error = j.find("error"); error != j.end()) {
    if (!error->is_string() || error->get<std::string>().empty()) throw Error("malformed reply on the control socket");
    reply.error = error->get<std::string>();
    return reply;
  }
  auto ok = j.find("ok");
  if (ok == j.end() || *ok != true) throw Error("malformed reply on the control socket");
  if (auto code = j.find("exit_code"); code != j.end()) {
    if (!code->is_number_integer()) throw Error("malformed exit code on the control socket");
    reply.exit_code = code->get<int>();
  }
  return reply;
}

std::string encode_start_reply(const StartReply& reply) {
  json j;
  if (reply.ok()) {
    j["pid"] = reply.pid;
  } else {
    j["error"] = reply.error;
    j["exit_code"] = reply.exit_code;
  }
  return j.dump() + "\n";
}

StartReply decode_start_reply(std::string_view line) {
  while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  const json j = parse_object(line, "start reply");
  StartReply reply;
  if (auto error = j.find("error"); error != j.end()) {
    if (!error->is_string() || error->get<std::string>().empty()) throw Error("malformed start reply from the monitor");
    reply.error = error->get<std::string>();
    auto code = j.find("exit_code");
    reply.exit_code = code != j.end() && code->is_number_integer() ? code->get<int>() : 125;
    return reply;
  }
  auto pid = j.find("pid");
  if (pid == j.end() || !pid->is_number_integer() || pid->get<long long>() <= 0)
    throw Error("malformed start reply from the monitor");
  reply.pid = pid->get<int>();
  return reply;
}

int start_failure_exit_code(std::string_view runtime_error) {
  std::string lower(runtime_error);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find("no such file or directory") != std::string::npos ||
      lower.find("executable file not found") != std::string::npos)
    return 127;
  if (lower.find("permission denied") != std::string::npos) return 126;
  return 125;
}

}  // namespace roost::monitor
