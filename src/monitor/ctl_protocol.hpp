// The monitor's control socket (docs/ARCHITECTURE.md (roost's containers), "The control socket"):
// SOCK_SEQPACKET, so one message is one request, one reply or one attach frame and no framing of
// our own is needed. A client's first message is a JSON request; an attach turns the connection
// into frames both ways, byte 0 the kind. Pure encoding and decoding: the sockets are ctl_client's
// and the monitor's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace roost::monitor {

// A frame is at most this many bytes, kind byte included: readers size one buffer for it.
constexpr size_t kMaxFrameSize = 32 * 1024;
constexpr size_t kMaxFramePayload = kMaxFrameSize - 1;

enum class FrameKind : uint8_t {
  Stdin = 0,        // client -> monitor: bytes for the container's stdin
  Stdout = 1,       // monitor -> client
  Stderr = 2,       // monitor -> client
  Exit = 3,         // monitor -> client: the decimal exit code; EOF follows
  Resize = 4,       // client -> monitor: "ROWS COLS"
  StdinClosed = 5,  // client -> monitor: the client's stdin ended
};

struct Frame {
  FrameKind kind;
  std::string_view payload;  // points into the decoded message
};

// Kind byte + payload. roost::Error when the payload exceeds kMaxFramePayload.
std::string encode_frame(FrameKind kind, std::string_view payload);
// nullopt for an empty message or an unknown kind (a peer speaking another protocol).
std::optional<Frame> decode_frame(std::string_view message);

std::string encode_exit_payload(int exit_code);
std::optional<int> decode_exit_payload(std::string_view payload);

struct WindowSize {
  unsigned short rows = 0, cols = 0;
  bool operator==(const WindowSize&) const = default;
};
std::string encode_resize_payload(WindowSize size);
// nullopt unless two decimal numbers in 1..65535 separated by one space.
std::optional<WindowSize> decode_resize_payload(std::string_view payload);

// A client's first message.
struct Request {
  // console: the pty master of a detached `exec -t` session comes with the request (SCM_RIGHTS);
  // the monitor reads it until the session's processes have closed it (docker and podman keep a
  // detached session's output nowhere either), so that they never block on a full terminal.
  enum class Op { Attach, Kill, Stop, Console };
  Op op = Op::Attach;
  bool attach_stdin = false;  // attach: this client feeds the container's stdin
  // attach, -t: the client's terminal size, in the request itself so that a foreground run's pty
  // has it before the container's first process asks (a resize frame would come after the start).
  std::optional<WindowSize> window;
  int signal = 0;             // kill, stop
  int timeout_seconds = 0;    // stop: SIGKILL after this long
  bool operator==(const Request&) const = default;
};
std::string encode_request(const Request& request);
// roost::Error naming what is wrong ("unknown op \"x\"", "signal out of range") for malformed input.
Request decode_request(std::string_view text);

// The monitor's answer to kill and stop: {"ok":true[,"exit_code":C]} or {"error":"..."}.
struct Reply {
  std::string error;               // empty = ok
  std::optional<int> exit_code;    // stop: the init's exit code
  bool ok() const { return error.empty(); }
  bool operator==(const Reply&) const = default;
};
std::string encode_reply(const Reply& reply);
Reply decode_reply(std::string_view text);  // roost::Error when malformed

// fd 3 of roost-monitor, the start pipe: one JSON line, {"pid":N} once the container runs, or
// {"error":"one line","exit_code":C} when it could not be started (C as podman's: 127 the command
// was not found, 126 it cannot be invoked, 125 any other failure).
struct StartReply {
  int pid = 0;
  std::string error;   // empty = started
  int exit_code = 0;   // with an error
  bool ok() const { return error.empty(); }
  bool operator==(const StartReply&) const = default;
};
std::string encode_start_reply(const StartReply& reply);  // with its '\n'
StartReply decode_start_reply(std::string_view line);     // roost::Error when malformed

// The exit code podman gives a failed start, from the runtime's words: 127 for "no such file or
// directory" and "executable file not found", 126 for "permission denied", else 125.
int start_failure_exit_code(std::string_view runtime_error);

}  // namespace roost::monitor
