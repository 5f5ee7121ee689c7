#include "idmap/host_advice.hpp"

#include <algorithm>
#include <vector>

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::idmap {
namespace fs = std::filesystem;

namespace {

// The sysctl's value with its newline trimmed; "" when it does not exist on this kernel.
std::string sysctl_value(const fs::path& proc_sys, const std::string& key) {
  std::string rel = key;
  std::replace(rel.begin(), rel.end(), '.', '/');
  try {
    std::string v = read_file((proc_sys / rel).string());
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ' || v.back() == '\t')) v.pop_back();
    return v;
  } catch (const Error&) {
    return "";
  }
}

std::string read_or_empty(const fs::path& path) {
  try {
    return read_file(path.string());
  } catch (const Error&) {
    return "";
  }
}

// Every "name:start:count" range of a subuid/subgid text, whoever it belongs to.
void collect_ranges(const std::string& text, std::vector<SubIdRange>& out) {
  for (const auto& line : split(text, '\n')) {
    const auto fields = split(line, ':');
    if (fields.size() != 3 || line.empty() || line[0] == '#') continue;
    try {
      size_t a = 0, b = 0;
      const unsigned long start = std::stoul(fields[1], &a);
      const unsigned long count = std::stoul(fields[2], &b);
      if (a == fields[1].size() && b == fields[2].size() && count > 0)
        out.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(count)});
    } catch (const std::exception&) {
      // A malformed line holds no range (shadow-utils skips it too).
    }
  }
}

}  // namespace

std::string HostFix::text() const {
  if (command.empty()) return "";
  return (as_root ? "run as root: " : "run: ") + command;
}

HostFix sysctl_fix(const std::string& key, const std::string& value) {
  // A value with a space (ping_group_range's "0 2147483647") is one shell word only when quoted.
  const std::string setting = value.find(' ') == std::string::npos ? key + "=" + value : "'" + key + "=" + value + "'";
  return {"sysctl -w " + setting + " && echo " + setting + " > /etc/sysctl.d/90-roost-" + key + ".conf", true};
}

UsernsBlock userns_block(const fs::path& proc_sys) {
  if (sysctl_value(proc_sys, "kernel.unprivileged_userns_clone") == "0")
    return {"kernel.unprivileged_userns_clone=0: user namespaces are disabled for unprivileged users",
            sysctl_fix("kernel.unprivileged_userns_clone", "1")};
  if (sysctl_value(proc_sys, "user.max_user_namespaces") == "0")
    return {"user.max_user_namespaces=0: user namespaces are disabled", sysctl_fix("user.max_user_namespaces", "15000")};
  if (sysctl_value(proc_sys, "kernel.apparmor_restrict_unprivileged_userns") == "1")
    return {"kernel.apparmor_restrict_unprivileged_userns=1: AppArmor gives an unprivileged program's user "
            "namespace no capabilities unless its profile has the userns rule",
            sysctl_fix("kernel.apparmor_restrict_unprivileged_userns", "0")};
  return {};
}

HostFix uidmap_install_fix() { return {"apt-get install uidmap", true}; }

SubIdRange free_subid_range(const std::string& subuid_text, const std::string& subgid_text, uint32_t count) {
  std::vector<SubIdRange> used;
  collect_ranges(subuid_text, used);
  collect_ranges(subgid_text, used);
  uint64_t start = 100000;
  // Each pass moves past one overlapping range; a start that overlaps none is free in both files.
  for (bool moved = true; moved;) {
    moved = false;
    for (const SubIdRange& r : used) {
      const uint64_t end = uint64_t{r.start} + r.count;
      if (start < end && uint64_t{r.start} < start + count) {
        start = end;
        moved = true;
      }
    }
  }
  if (start + count > 0xffffffffULL) throw Error("no free range of " + std::to_string(count) + " ids in /etc/subuid and /etc/subgid");
  return {static_cast<uint32_t>(start), count};
}

HostFix subid_range_fix(const std::string& user_name, const fs::path& etc) {
  const SubIdRange r = free_subid_range(read_or_empty(etc / "subuid"), read_or_empty(etc / "subgid"));
  const std::string span = std::to_string(r.start) + "-" + std::to_string(uint64_t{r.start} + r.count - 1);
  return {"usermod --add-subuids " + span + " --add-subgids " + span + " " + user_name, true};
}

}  // namespace roost::idmap
