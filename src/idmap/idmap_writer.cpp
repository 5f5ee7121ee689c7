#include "idmap/idmap_writer.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <optional>

#include "idmap/host_advice.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/process.hpp"

namespace roost {

bool running_rootless() {
  if (::geteuid() != 0) return true;
  try {
    // The host's user namespace maps every id to itself: "0 0 4294967295".
    unsigned long inside = 1, outside = 1, count = 0;
    std::sscanf(read_file("/proc/self/uid_map").c_str(), "%lu %lu %lu", &inside, &outside, &count);
    return !(inside == 0 && outside == 0 && count == 4294967295UL);
  } catch (const Error&) {
    return false;
  }
}

}  // namespace roost

namespace roost::idmap {
namespace {

std::string user_name(uid_t uid) {
  struct passwd pw, *res = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res) return res->pw_name;
  return std::to_string(uid);
}

}  // namespace

std::string find_helper(const std::string& name) {
  for (const char* dir : {"/usr/bin/", "/bin/", "/usr/sbin/", "/usr/local/bin/"}) {
    std::string path = std::string(dir) + name;
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

IdMapPlan plan_id_maps(const oci::Spec& spec, bool privileged) {
  IdMapPlan plan;
  const uid_t euid = ::geteuid();
  const gid_t egid = ::getegid();
  plan.uid = spec.linux.uid_mappings;
  plan.gid = spec.linux.gid_mappings;
  if (plan.uid.empty() != plan.gid.empty())
    throw Error("config.json: give both linux.uidMappings and linux.gidMappings, or neither");

  const std::string name = user_name(euid);
  if (plan.uid.empty()) {
    if (privileged)
      throw Error("config.json: a new user namespace needs linux.uidMappings and linux.gidMappings when run as root");
    auto sub_uids = read_subid_file("/etc/subuid", name, euid);
    auto sub_gids = read_subid_file("/etc/subgid", name, euid);
    const bool have_uid_helper = !find_helper("newuidmap").empty();
    const bool have_gid_helper = !find_helper("newgidmap").empty();
    if (sub_uids.empty() || sub_gids.empty() || !have_uid_helper || !have_gid_helper) {
      // Only under --debug: the advice reads /etc/subuid and /etc/subgid again for a free range.
      if (log::debug_enabled())
        log::debug(std::string("one-id user namespace (only uid 0 is mapped): ") +
                 (sub_uids.empty() ? "no /etc/subuid range for " + name + " (" + subid_range_fix(name).text() + ")"
                  : sub_gids.empty() ? "no /etc/subgid range for " + name + " (" + subid_range_fix(name).text() + ")"
                                     : "newuidmap/newgidmap not installed (" + uidmap_install_fix().text() + ")"));
      sub_uids.clear();
      sub_gids.clear();
    }
    plan.uid = rootless_mappings(euid, sub_uids);
    plan.gid = rootless_mappings(egid, sub_gids);
  }
  validate(plan.uid, "uid");
  validate(plan.gid, "gid");

  if (!privileged) {
    plan.uid_helper = !is_self_only(plan.uid, euid);
    plan.gid_helper = !is_self_only(plan.gid, egid);
    if (plan.uid_helper) {
      check_reachable(plan.uid, euid, read_subid_file("/etc/subuid", name, euid), "uid");
      if (find_helper("newuidmap").empty()) throw Error("mapping more than your own uid needs newuidmap: " + uidmap_install_fix().text());
    }
    if (plan.gid_helper) {
      check_reachable(plan.gid, egid, read_subid_file("/etc/subgid", name, euid), "gid");
      if (find_helper("newgidmap").empty()) throw Error("mapping more than your own gid needs newgidmap: " + uidmap_install_fix().text());
    }
    // The kernel lets an unprivileged process write its own gid map only after setgroups is denied.
    plan.deny_setgroups = !plan.gid_helper;
  }
  return plan;
}

namespace {

RunningProgram start_helper(const std::string& name, pid_t pid, const Mappings& maps) {
  ProgramSpec spec;
  spec.argv = helper_argv(name, pid, maps);
  spec.path = find_helper(name);
  spec.capture_stderr = true;
  spec.timeout_seconds = 10;
  return start_program(spec);
}

void finish_helper(const std::string& name, RunningProgram& helper) {
  ProgramResult r = wait_program(helper);
  if (!r.succeeded())
    throw Error(name + " " + r.describe() + (r.error_output.empty() ? "" : ": " + r.error_output));
}

// "inside outside count" lines of our own map, as identity entries {inside, inside, count}.
Mappings identity_of_own_map(const std::string& path) {
  Mappings maps;
  try {
    for (const auto& line : split(read_file(path), '\n')) {
      unsigned long inside = 0, outside = 0, count = 0;
      if (std::sscanf(line.c_str(), "%lu %lu %lu", &inside, &outside, &count) == 3 && count > 0)
        maps.push_back({static_cast<uint32_t>(inside), static_cast<uint32_t>(inside), static_cast<uint32_t>(count)});
    }
  } catch (const Error&) {
    return {};
  }
  return maps;
}

}  // namespace

IdMapPlan plan_caller_id_maps(SubIdSource source) {
  IdMapPlan plan;
  const uid_t euid = ::geteuid();
  const gid_t egid = ::getegid();
  if (euid == 0) {
    // Real root, or root of a user namespace (roost ns inside roost ns): every id this namespace
    // has, mapped to itself and written directly.
    plan.uid = identity_of_own_map("/proc/self/uid_map");
    plan.gid = identity_of_own_map("/proc/self/gid_map");
    if (!plan.uid.empty() && !plan.gid.empty()) return plan;
    plan = {};
  }
  const std::string name = user_name(euid);
  CallerSubIds ids = read_caller_subids(source, name, euid);
  const bool helpers = !find_helper("newuidmap").empty() && !find_helper("newgidmap").empty();
  if (ids.uids.empty() || ids.gids.empty() || !helpers) {
    if (log::debug_enabled())
      log::debug(std::string("one-id user namespace (only uid 0 is mapped): ") +
               (ids.uids.empty() ? "no subuid range for " + name + " (" + subid_range_fix(name).text() + ")"
                : ids.gids.empty() ? "no subgid range for " + name + " (" + subid_range_fix(name).text() + ")"
                                   : "newuidmap/newgidmap not installed (" + uidmap_install_fix().text() + ")"));
    ids = {};
  }
  plan.uid = rootless_mappings(euid, ids.uids);
  plan.gid = rootless_mappings(egid, ids.gids);
  validate(plan.uid, "uid");
  validate(plan.gid, "gid");
  plan.uid_helper = !is_self_only(plan.uid, euid);
  plan.gid_helper = !is_self_only(plan.gid, egid);
  plan.deny_setgroups = !plan.gid_helper;
  return plan;
}

void write_id_maps(pid_t pid, const IdMapPlan& plan) {
  const std::string proc = "/proc/" + std::to_string(pid);
  if (plan.deny_setgroups) write_file(proc + "/setgroups", "deny", O_TRUNC);
  // The two maps are independent: newgidmap and newuidmap run at once, each a fork and exec of a
  // setuid program, and the direct writes go in while they run.
  RunningProgram gid_helper, uid_helper;
  if (plan.gid_helper) gid_helper = start_helper("newgidmap", pid, plan.gid);
  try {
    if (plan.uid_helper) uid_helper = start_helper("newuidmap", pid, plan.uid);
  } catch (...) {
    if (plan.gid_helper) (void)wait_program(gid_helper);
    throw;
  }
  if (!plan.gid_helper) write_file(proc + "/gid_map", format_proc_map(plan.gid), O_TRUNC);
  if (!plan.uid_helper) write_file(proc + "/uid_map", format_proc_map(plan.uid), O_TRUNC);
  // Both are collected even when one fails, so neither is left behind.
  std::string failure;
  for (auto [name, helper] : {std::pair{"newgidmap", &gid_helper}, std::pair{"newuidmap", &uid_helper}}) {
    if (helper->pid < 0) continue;
    try {
      finish_helper(name, *helper);
    } catch (const Error& e) {
      if (failure.empty()) failure = e.what();
    }
  }
  if (!failure.empty()) throw Error(failure);
}

}  // namespace roost::idmap
