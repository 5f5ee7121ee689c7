// Exit codes, OOM kills and the restart policy.
#include "monitor/exit_policy.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <charconv>

#include "sys/cgroup_manager.hpp"
#include "util/file.hpp"

namespace roost::monitor {

int exit_code_from_wait_status(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 255;
}

std::optional<uint64_t> parse_oom_kill_count(const std::string& memory_events) {
  for (const auto& line : split(memory_events, '\n')) {
    if (!starts_with(line, "oom_kill ")) continue;
    uint64_t count = 0;
    const char* begin = line.data() + 9;
    const char* end = line.data() + line.size();
    auto [ptr, ec] = std::from_chars(begin, end, count);
    if (ec == std::errc() && ptr == end) return count;
  }
  return std::nullopt;
}

std::optional<uint64_t> read_oom_kill_count(const std::string& cgroup_dir) {
  if (cgroup_dir.empty()) return std::nullopt;
  try {
    return parse_oom_kill_count(read_file(cgroup_dir + "/memory.events"));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

namespace {

std::string unified_path(const std::string& proc_cgroup) {
  for (const auto& line : split(proc_cgroup, '\n'))
    if (line.starts_with("0::/")) return line.substr(3);
  return {};
}

}  // namespace

std::string own_cgroup_dir(const std::string& init_proc_cgroup, const std::string& monitor_proc_cgroup,
                           const std::string& v2_mount) {
  const std::string init = unified_path(init_proc_cgroup);
  if (v2_mount.empty() || init.empty() || init == "/" || init == unified_path(monitor_proc_cgroup)) return {};
  // A cgroup the kernel shows as "/path (deleted)" has gone; none of ".." or the like comes from it.
  if (init.find(" (deleted)") != std::string::npos || init.find("/../") != std::string::npos) return {};
  return v2_mount + init;
}

std::string container_cgroup_dir(pid_t init_pid) {
  try {
    return own_cgroup_dir(read_file("/proc/" + std::to_string(init_pid) + "/cgroup"), read_file("/proc/self/cgroup"),
                          cgroup_v2_mount());
  } catch (const std::exception&) {
    return {};
  }
}

bool should_restart(const ctr::RestartPolicy& policy, int exit_code, int restart_count, bool stopped_by_user) {
  if (stopped_by_user) return false;
  if (policy.name == "always" || policy.name == "unless-stopped") return true;
  if (policy.name == "on-failure")
    return exit_code != 0 && (policy.max_retries <= 0 || restart_count < policy.max_retries);
  return false;
}

int restart_delay_ms(int restart_count) {
  const int shift = std::min(restart_count, 7);  // 100 ms << 7 = 12.8 s
  return std::min(100 << shift, 10000);
}

uint64_t process_start_time(pid_t pid) {
  std::string stat;
  try {
    stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  } catch (const std::exception&) {
    return 0;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count from its last ')'.
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  const auto fields = split(stat.substr(paren + 2), ' ');
  // After ')' comes field 3 (state); field 22 is index 19 there.
  if (fields.size() < 20) return 0;
  uint64_t start = 0;
  std::from_chars(fields[19].data(), fields[19].data() + fields[19].size(), start);
  return start;
}

}  // namespace roost::monitor
