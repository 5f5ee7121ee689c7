#include "sys/signals.hpp"

#include <csignal>
#include <cstring>
#include <string_view>
#include <tuple>
#include <utility>

#include "util/error.hpp"

namespace roost {
namespace {

constexpr std::pair<std::string_view, int> kSignals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},       {"QUIT", SIGQUIT},   {"ILL", SIGILL},     {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT},     {"IOT", SIGIOT},       {"BUS", SIGBUS},     {"FPE", SIGFPE},     {"KILL", SIGKILL},
    {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},   {"PIPE", SIGPIPE},   {"ALRM", SIGALRM},
    {"TERM", SIGTERM},     {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},    {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},   {"TTOU", SIGTTOU},   {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO},         {"POLL", SIGPOLL},     {"PWR", SIGPWR},     {"SYS", SIGSYS},
};

bool parse_int(std::string_view s, int& out) {
  if (s.empty() || s.size() > 3) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

}  // namespace

int parse_signal(const std::string& text) {
  std::string_view s = text;
  int num = 0;
  if (parse_int(s, num)) {
    if (num < 1 || num > SIGRTMAX) throw Error("unknown signal \"" + text + "\"");
    return num;
  }
  std::string upper;
  for (char c : s) upper += static_cast<char>(toupper(static_cast<unsigned char>(c)));
  std::string_view name = upper;
  if (name.substr(0, 3) == "SIG") name.remove_prefix(3);
  for (const auto& [n, v] : kSignals)
    if (n == name) return v;
  // Real-time signals: RTMIN, RTMIN+N, RTMAX, RTMAX-N.
  for (auto [base, sign, prefix] : {std::tuple{SIGRTMIN, 1, std::string_view("RTMIN")},
                                     std::tuple{SIGRTMAX, -1, std::string_view("RTMAX")}}) {
    if (name.substr(0, prefix.size()) != prefix) continue;
    std::string_view rest = name.substr(prefix.size());
    if (rest.empty()) return base;
    char op = sign > 0 ? '+' : '-';
    if (rest[0] == op && parse_int(rest.substr(1), num)) {
      int sig = base + sign * num;
      if (sig >= SIGRTMIN && sig <= SIGRTMAX) return sig;
    }
  }
  throw Error("unknown signal \"" + text + "\"");
}

}  // namespace roost
