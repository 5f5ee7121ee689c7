// The k8s-file log: conmon's record format written by the monitor, read back by `roost logs`.
#include "monitor/k8s_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <charconv>
#include <cstdio>
#include <deque>
#include <limits>

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::monitor {

namespace {

const char* stream_name(LogStream stream) { return stream == LogStream::Stdout ? "stdout" : "stderr"; }

}  // namespace

std::string k8s_timestamp(const timespec& when) {
  struct tm tm;
  localtime_r(&when.tv_sec, &tm);
  long offset = tm.tm_gmtoff;
  const char sign = offset < 0 ? '-' : '+';
  if (offset < 0) offset = -offset;
  char buf[128];  // room for any int the compiler imagines in each field
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09ld%c%02ld:%02ld", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, when.tv_nsec, sign, offset / 3600, offset / 60 % 60);
  return buf;
}

std::string k8s_records(LogStream stream, std::string_view chunk, std::string_view timestamp) {
  std::string out;
  const std::string head = std::string(timestamp) + " " + stream_name(stream) + " ";
  while (!chunk.empty()) {
    const size_t newline = chunk.find('\n');
    const bool full = newline != std::string_view::npos;
    const std::string_view line = chunk.substr(0, full ? newline : chunk.size());
    out += head;
    out += full ? "F " : "P ";
    out += line;
    out += '\n';
    chunk.remove_prefix(full ? newline + 1 : chunk.size());
  }
  return out;
}

K8sLogWriter::K8sLogWriter(const std::string& path)
    : path_(path), fd_(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) {
  if (!fd_) throw_errno("open the container's log " + path);
}

void K8sLogWriter::write(LogStream stream, std::string_view chunk) {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  const std::string records = k8s_records(stream, chunk, k8s_timestamp(now));
  if (!write_all(fd_.get(), records)) throw_errno("write the container's log " + path_);
}

namespace {

// Reads exactly `digits` decimal digits.
std::optional<int> take_number(std::string_view& text, size_t digits) {
  if (text.size() < digits) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  text.remove_prefix(digits);
  return value;
}

bool take_char(std::string_view& text, char c) {
  if (text.empty() || text[0] != c) return false;
  text.remove_prefix(1);
  return true;
}

constexpr int64_t kSecond = 1000000000;

// Seconds since the epoch and a fraction as nanoseconds, saturated: int64 nanoseconds end in
// 2262, and a later time (--since 2999-01-01) must stay later than every line, not wrap negative.
int64_t to_ns(int64_t seconds, int64_t fraction) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max(), kMin = std::numeric_limits<int64_t>::min();
  if (seconds >= kMax / kSecond) return kMax;
  if (seconds <= kMin / kSecond) return kMin;
  return seconds * kSecond + fraction;
}

// The date and time of day, and the fraction, of an RFC 3339 time; what follows is left in text.
std::optional<std::pair<struct tm, int64_t>> take_date_time(std::string_view& text) {
  struct tm tm{};
  auto year = take_number(text, 4);
  if (!year || !take_char(text, '-')) return std::nullopt;
  auto month = take_number(text, 2);
  if (!month || !take_char(text, '-')) return std::nullopt;
  auto day = take_number(text, 2);
  if (!day || !(take_char(text, 'T') || take_char(text, 't'))) return std::nullopt;
  auto hour = take_number(text, 2);
  if (!hour || !take_char(text, ':')) return std::nullopt;
  auto minute = take_number(text, 2);
  if (!minute || !take_char(text, ':')) return std::nullopt;
  auto second = take_number(text, 2);
  if (!second) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  int64_t fraction = 0;
  if (take_char(text, '.')) {
    int64_t scale = kSecond;
    size_t digits = 0;
    while (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) {
      if (digits++ < 9) {
        scale /= 10;
        fraction += (text[0] - '0') * scale;
      }
      text.remove_prefix(1);
    }
    if (digits == 0) return std::nullopt;
  }
  return std::make_pair(tm, fraction);
}

// "Z" or "+hh:mm"/"-hh:mm": the offset east of UTC in seconds.
std::optional<long> take_zone(std::string_view& text) {
  if (take_char(text, 'Z') || take_char(text, 'z')) return 0;
  if (text.empty() || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  const long sign = text[0] == '-' ? -1 : 1;
  text.remove_prefix(1);
  auto hours = take_number(text, 2);
  if (!hours || !take_char(text, ':')) return std::nullopt;
  auto minutes = take_number(text, 2);
  if (!minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  return sign * (*hours * 3600L + *minutes * 60L);
}

}  // namespace

std::optional<int64_t> parse_rfc3339_ns(std::string_view text) {
  auto date_time = take_date_time(text);
  if (!date_time) return std::nullopt;
  auto zone = take_zone(text);
  if (!zone || !text.empty()) return std::nullopt;
  const int64_t seconds = static_cast<int64_t>(timegm(&date_time->first)) - *zone;
  return to_ns(seconds, date_time->second);
}

std::optional<LogRecord> parse_k8s_record(std::string_view line) {
  LogRecord record;
  const size_t space1 = line.find(' ');
  if (space1 == std::string_view::npos) return std::nullopt;
  record.timestamp = std::string(line.substr(0, space1));
  auto time = parse_rfc3339_ns(record.timestamp);
  if (!time) return std::nullopt;
  record.time_ns = *time;
  line.remove_prefix(space1 + 1);
  if (line.starts_with("stdout ")) {
    record.stream = LogStream::Stdout;
  } else if (line.starts_with("stderr ")) {
    record.stream = LogStream::Stderr;
  } else {
    return std::nullopt;
  }
  line.remove_prefix(7);
  if (line.starts_with("F")) {
    record.partial = false;
  } else if (line.starts_with("P")) {
    record.partial = true;
  } else {
    return std::nullopt;
  }
  line.remove_prefix(1);
  // "F" with nothing after it is an empty line; otherwise one space, then the message.
  if (!line.empty() && !take_char(line, ' ')) return std::nullopt;
  record.message = std::string(line);
  return record;
}

std::string display_timestamp(std::string_view recorded) {
  std::string out(recorded);
  const size_t dot = out.find('.');
  size_t zone = out.find_first_of("Zz+-", dot == std::string::npos ? 19 : dot);
  if (zone == std::string::npos) return out;
  std::string suffix = out.substr(zone);
  if (suffix == "+00:00" || suffix == "-00:00" || suffix == "z") suffix = "Z";
  std::string head = out.substr(0, zone);
  if (dot != std::string::npos) {
    while (head.size() > dot + 1 && head.back() == '0') head.pop_back();
    if (head.size() == dot + 1) head.pop_back();  // all zeros: Go drops the dot too
  }
  return head + suffix;
}

namespace {

// A Go duration ("1h30m", "2.5s", "300ms"); nullopt when malformed.
std::optional<int64_t> parse_go_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text == "0") return 0;
  int64_t total = 0;
  while (!text.empty()) {
    size_t digits = 0;
    while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) ++digits;
    if (digits == 0) return std::nullopt;
    double value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits, value);
    if (ec != std::errc() || ptr != text.data() + digits) return std::nullopt;
    text.remove_prefix(digits);
    static constexpr std::pair<std::string_view, double> kUnits[] = {
        {"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
    bool matched = false;
    for (const auto& [unit, scale] : kUnits) {
      // "m" must not take the "m" of "ms": units are tried longest first where they share a letter.
      if (text.starts_with(unit) && !(unit == "m" && text.starts_with("ms"))) {
        total += static_cast<int64_t>(value * scale);
        text.remove_prefix(unit.size());
        matched = true;
        break;
      }
    }
    if (!matched) return std::nullopt;
  }
  return total;
}

std::optional<int64_t> parse_local_or_zoned(std::string_view text) {
  if (auto zoned = parse_rfc3339_ns(text)) return zoned;
  std::string_view rest = text;
  std::optional<std::pair<struct tm, int64_t>> date_time;
  if (text.size() == 10) {  // a date alone: midnight, local time
    std::string with_time = std::string(text) + "T00:00:00";
    std::string_view view = with_time;
    date_time = take_date_time(view);
    rest = view;
  } else {
    date_time = take_date_time(rest);
  }
  if (!date_time || !rest.empty()) return std::nullopt;
  date_time->first.tm_isdst = -1;
  const time_t seconds = mktime(&date_time->first);
  return to_ns(static_cast<int64_t>(seconds), date_time->second);
}

}  // namespace

int64_t parse_log_time(std::string_view text, int64_t now_ns) {
  if (auto time = parse_local_or_zoned(text)) return *time;
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0])) &&
      text.find_first_not_of("0123456789.") == std::string_view::npos) {
    double seconds = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec == std::errc() && ptr == text.data() + text.size()) {
      const double whole = std::floor(seconds);
      return to_ns(static_cast<int64_t>(std::min(whole, 1e18)), static_cast<int64_t>((seconds - whole) * 1e9));
    }
  }
  if (auto duration = parse_go_duration(text)) return now_ns - *duration;
  throw Error("invalid time \"" + std::string(text) + "\": use RFC 3339 (2006-01-02T15:04:05Z), a date, Unix seconds or a duration (10m)");
}

std::optional<LogLine> LogLineAssembler::add(const LogRecord& record) {
  auto& pending = pending_[record.stream == LogStream::Stdout ? 0 : 1];
  if (!pending) pending = LogLine{record.timestamp, record.time_ns, record.stream, {}};
  pending->text += record.message;
  if (record.partial) return std::nullopt;
  pending->text += '\n';
  std::optional<LogLine> line = std::move(pending);
  pending.reset();
  return line;
}

std::vector<LogLine> LogLineAssembler::flush() {
  std::vector<LogLine> lines;
  for (auto& pending : pending_)
    if (pending) lines.push_back(std::move(*pending)), pending.reset();
  if (lines.size() == 2 && lines[1].time_ns < lines[0].time_ns) std::swap(lines[0], lines[1]);
  return lines;
}

namespace {

// Turns the file's bytes into lines as they come, filtered, and hands them on.
class LogPrinter {
 public:
  explicit LogPrinter(const LogReadOptions& options) : options_(options) {}

  void feed(std::string_view bytes) {
    partial_record_.append(bytes);
    size_t start = 0;
    for (size_t newline; (newline = partial_record_.find('\n', start)) != std::string::npos; start = newline + 1) {
      auto record = parse_k8s_record(std::string_view(partial_record_).substr(start, newline - start));
      if (!record) continue;
      if (auto line = assembler_.add(*record)) take(std::move(*line));
    }
    partial_record_.erase(0, start);
  }

  // At the end of what there is: unfinished lines go out as they are.
  void finish() {
    for (auto& line : assembler_.flush()) take(std::move(line));
    release_tail();
  }

  // Once the tail is out, lines are printed as they come (follow mode).
  void release_tail() {
    for (auto& line : held_) print(line);
    held_.clear();
    holding_ = false;
  }

 private:
  void take(LogLine line) {
    if (options_.since_ns && line.time_ns < *options_.since_ns) return;
    if (options_.until_ns && line.time_ns > *options_.until_ns) return;
    if (!holding_ || !options_.tail) return print(line);
    if (*options_.tail == 0) return;
    held_.push_back(std::move(line));
    if (held_.size() > *options_.tail) held_.pop_front();
  }

  void print(const LogLine& line) {
    const int fd = line.stream == LogStream::Stdout ? options_.stdout_fd : options_.stderr_fd;
    if (options_.timestamps) {
      std::string out = display_timestamp(line.timestamp) + " " + line.text;
      write_all(fd, out);
    } else {
      write_all(fd, line.text);
    }
  }

  const LogReadOptions& options_;
  std::string partial_record_;
  LogLineAssembler assembler_;
  std::deque<LogLine> held_;
  bool holding_ = true;
};

// Everything readable now, fed to the printer.
void read_available(int fd, LogPrinter& printer, const std::string& path) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read the container's log " + path);
    if (n == 0) return;
    printer.feed(std::string_view(buf, static_cast<size_t>(n)));
  }
}

}  // namespace

void read_logs(const std::string& path, const LogReadOptions& options) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd && errno != ENOENT) throw_errno("open the container's log " + path);
  LogPrinter printer(options);
  if (fd) read_available(fd.get(), printer, path);
  if (!options.still_running) return printer.finish();
  printer.release_tail();
  // Follow: the monitor appends; poll for more while it lives, then take the last of it.
  for (;;) {
    const bool running = options.still_running();
    if (!fd) fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd) read_available(fd.get(), printer, path);
    if (!running) break;
    struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
  printer.finish();
}

}  // namespace roost::monitor
