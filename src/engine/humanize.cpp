#include "engine/humanize.hpp"

#include <cstdio>
#include <ctime>

namespace roost::engine {

std::string human_size(double bytes, int precision) {
  static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  size_t unit = 0;
  while (bytes >= 1000.0 && unit + 1 < sizeof kUnits / sizeof kUnits[0]) {
    bytes /= 1000.0;
    ++unit;
  }
  // %g as Go's %.*g: the same shortest form with `precision` significant digits.
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g%s", precision, bytes, kUnits[unit]);
  return buf;
}

std::string image_size(int64_t bytes) {
  std::string s = human_size(static_cast<double>(bytes), 3);
  size_t unit = s.find_first_not_of("0123456789.e+-");
  return unit == std::string::npos ? s : s.substr(0, unit) + " " + s.substr(unit);
}

std::string df_size(int64_t bytes) { return human_size(static_cast<double>(bytes), 4); }

std::string human_duration(int64_t seconds) {
  auto n = [](int64_t v, const char* unit) { return std::to_string(v) + " " + unit; };
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return n(seconds, "seconds");
  const int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return n(minutes, "minutes");
  const int64_t hours = (seconds + 1800) / 3600;  // rounded, as go-units does
  if (hours == 1) return "About an hour";
  if (hours < 48) return n(hours, "hours");
  if (hours < 24 * 7 * 2) return n(hours / 24, "days");
  if (hours < 24 * 30 * 2) return n(hours / 24 / 7, "weeks");
  if (hours < 24 * 365 * 2) return n(hours / 24 / 30, "months");
  return n(seconds / 3600 / 24 / 365, "years");
}

std::string ago(int64_t seconds) { return human_duration(seconds) + " ago"; }

std::optional<int64_t> parse_rfc3339(std::string_view text) {
  int year, month, day, hour, minute, second, used = 0;
  std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
                  &used) != 6 || used != 19)
    return std::nullopt;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t digits = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == digits) return std::nullopt;
  }
  int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om, n = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5) return std::nullopt;
    offset = (s[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  struct tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(::timegm(&tm)) - offset;
}

}  // namespace roost::engine
