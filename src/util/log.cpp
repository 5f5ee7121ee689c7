#include "util/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "util/clock.hpp"

namespace roost::log {
namespace {

using roost::now_rfc3339;

struct Sink {
  int fd = -1;
  Format format = Format::Text;
  bool debug = false;
};
Sink sink;
std::string& program() {
  static std::string name = "roost-runtime";
  return name;
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

void emit(const char* level, const std::string& msg, bool to_stderr) {
  if (sink.fd >= 0) {
    std::string line = sink.format == Format::Json
                           ? "{\"level\":\"" + std::string(level) + "\",\"msg\":\"" + json_escape(msg) +
                                 "\",\"time\":\"" + now_rfc3339() + "\"}\n"
                           : now_rfc3339() + " " + level + ": " + msg + "\n";
    (void)!::write(sink.fd, line.data(), line.size());
    if (!to_stderr) return;
  }
  std::string line = program() + ": " + (std::string(level) == "error" ? "" : std::string(level) + ": ") + msg + "\n";
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace

void configure(const std::string& file, Format format, bool debug) {
  sink.format = format;
  sink.debug = debug;
  if (!file.empty()) {
    // O_APPEND so that several runtime invocations can share one log, as engines do.
    sink.fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (sink.fd < 0) std::fprintf(stderr, "roost-runtime: open log %s: %m\n", file.c_str());
  }
}

void set_program_name(const std::string& name) { program() = name; }
const std::string& program_name() { return program(); }

bool debug_enabled() { return sink.debug; }

void debug(const std::string& msg) {
  if (sink.debug) emit("debug", msg, sink.fd < 0);
}

void warn(const std::string& msg) { emit("warning", msg, true); }

void error(const std::string& msg) { emit("error", msg, true); }

}  // namespace roost::log
