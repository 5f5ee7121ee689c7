// The k8s-file log (podman's and CRI's): one record per line,
//   TIMESTAMP STREAM TAG MESSAGE\n
// TIMESTAMP is RFC 3339 with nanoseconds and the local offset ("2026-12-06T22:00:00.123456789+00:00",
// as conmon writes it), STREAM "stdout" or "stderr", TAG "F" for a record that ends a line and "P"
// for a partial one (a chunk of output whose line goes on in the next record). The monitor writes
// it (K8sLogWriter); `roost logs` reads it (read_logs), joining partials back into lines.
#pragma once

#include <time.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/unique_fd.hpp"

namespace roost::monitor {

enum class LogStream { Stdout, Stderr };

// "2026-12-06T22:00:00.123456789+00:00" for `when` in the local time zone (conmon's form).
std::string k8s_timestamp(const timespec& when);

// The records of one chunk of output read at one time: a record per line, the last one "P" when
// the chunk does not end with a newline. Empty for an empty chunk.
std::string k8s_records(LogStream stream, std::string_view chunk, std::string_view timestamp);

// Appends records to the log file (made 0600 when missing). Each chunk goes in one write(2), so a
// reader never sees half a record from a running monitor.
class K8sLogWriter {
 public:
  explicit K8sLogWriter(const std::string& path);
  void write(LogStream stream, std::string_view chunk);

 private:
  std::string path_;
  UniqueFd fd_;
};

// One record as read back.
struct LogRecord {
  std::string timestamp;   // as written
  int64_t time_ns = 0;     // nanoseconds since the epoch (UTC)
  LogStream stream = LogStream::Stdout;
  bool partial = false;
  std::string message;     // without the record's newline
};

// nullopt for a line that is not a record (a truncated last line, garbage).
std::optional<LogRecord> parse_k8s_record(std::string_view line);

// RFC 3339 with optional fraction (up to nanoseconds) and "Z" or "+hh:mm"; nanoseconds since the
// epoch. nullopt when malformed.
std::optional<int64_t> parse_rfc3339_ns(std::string_view text);

// The timestamp as `roost logs -t` prints it: Go's RFC3339Nano of the recorded time, as podman
// prints it ("+00:00" becomes "Z", trailing zeros of the fraction go).
std::string display_timestamp(std::string_view recorded);

// `--since`/`--until` as podman takes them: an RFC 3339 time (fraction and zone optional: no zone
// is local time), a date (2006-01-02), Unix seconds ("1700000000" or "1700000000.5"), or a Go
// duration before now ("10m", "1h30m", "2.5s"). roost::Error otherwise.
int64_t parse_log_time(std::string_view text, int64_t now_ns);

// A line of output: partial records joined (per stream), with the first record's time.
struct LogLine {
  std::string timestamp;
  int64_t time_ns = 0;
  LogStream stream = LogStream::Stdout;
  std::string text;        // with its '\n', unless the log ends inside the line
};

// Joins records into lines in the order their lines end; partial lines of both streams are kept
// apart (the monitor interleaves records of stdout and stderr).
class LogLineAssembler {
 public:
  // The line this record ends, if it ends one.
  std::optional<LogLine> add(const LogRecord& record);
  // The unfinished lines (the log ends inside them), oldest first; the assembler is empty after.
  std::vector<LogLine> flush();

 private:
  std::optional<LogLine> pending_[2];
};

struct LogReadOptions {
  std::optional<int64_t> since_ns;   // lines whose first record is older are skipped
  std::optional<int64_t> until_ns;   // lines whose first record is newer are skipped
  std::optional<size_t> tail;        // only the last N lines (before following)
  bool timestamps = false;           // -t: each line prefixed with its time and a space
  // -f: at the end of the file, wait for more while this says the container may still write
  // (its monitor lives); unset = read once.
  std::function<bool()> still_running;
  int stdout_fd = 1, stderr_fd = 2;  // where each stream's lines go
};

// Reads the log at path and writes its lines, each to its stream's fd. A missing log is empty.
void read_logs(const std::string& path, const LogReadOptions& options);

}  // namespace roost::monitor
