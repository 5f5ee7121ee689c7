// `roost check`: a diagnosis of what rootless containers need from this host. Each probe reads
// the files it needs below a HostRoot (the host's /, or a fake tree in a unit test) and returns
// one CheckResult: ok, a warning (roost works, with less), or a failure (something rootless use
// needs is missing), with the detail and the exact command that fixes it.
//
// The probes that need the live kernel (a user namespace actually made, an overlay actually
// mounted in it) are in live_probe.hpp; their findings come in as a LiveFindings so that the
// verdicts built from them are pure too.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "idmap/host_advice.hpp"

namespace roost::check {

enum class CheckStatus { Ok, Warn, Fail };
const char* status_name(CheckStatus);  // "ok", "warn", "fail"

struct CheckResult {
  std::string name;    // "user namespaces", "subuid", ...
  CheckStatus status = CheckStatus::Ok;
  std::string detail;  // what was found, and for warn/fail what breaks
  idmap::HostFix fix;  // empty for ok
};

// Where the probes look: every absolute host path is read below root ("/" on the host).
struct HostRoot {
  std::filesystem::path root = "/";
  std::filesystem::path at(const std::string& absolute) const;  // at("/etc/subuid")
};

// Who is asking: the user whose ranges, cgroup and runtime dir are checked.
struct Caller {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;               // login name ("" when the uid has no passwd entry)
  std::vector<gid_t> groups;      // supplementary groups
  std::optional<std::string> xdg_runtime_dir;  // $XDG_RUNTIME_DIR
  bool root() const { return uid == 0; }
  static Caller current();        // the process's effective ids, name and environment
};

// A found helper program (newuidmap, slirp4netns, ...): its path below the root, or empty.
std::filesystem::path find_program(const HostRoot& host, const std::string& name);

// What the live probe found (live_probe.hpp), for the verdicts below.
struct LiveFindings {
  bool tried = false;
  std::string userns_error;  // entering the user namespace failed: why ("" when it worked)
  std::string map_summary;   // "0:1001:1,1:200000:65536"
  std::string kernel_overlay_error;  // "" when the kernel's overlay passed the test
  std::string fuse_overlay_error;    // "" when fuse-overlayfs passed it
  std::string storage;       // where the test mounts were made
};
// --- the probes ---
CheckResult check_kernel(const HostRoot& host);
// The sysctls that allow or forbid unprivileged user namespaces (idmap::userns_block) and the
// namespace limit, and the live probe's namespace: it decides when AppArmor's restriction is on,
// since a profile with the userns rule lets the program through.
CheckResult check_user_namespaces(const HostRoot& host, const Caller& caller, const LiveFindings& live);
// "subuid" or "subgid" (file = "subuid"/"subgid"): the caller's ranges by name and by uid.
CheckResult check_subid(const HostRoot& host, const Caller& caller, const std::string& file);
// newuidmap or newgidmap: installed, setuid root or with the file capability
// (cap_setuid/cap_setgid in security.capability), on a mount that honours them.
CheckResult check_id_helper(const HostRoot& host, const Caller& caller, const std::string& name);
// The cgroup hierarchy (from /proc/self/mounts) and what the caller was delegated: its own
// cgroup (/proc/self/cgroup), the controllers there, whether the caller owns it.
CheckResult check_cgroups(const HostRoot& host, const Caller& caller);
// A character device (/dev/fuse, /dev/net/tun): present, its mode, openable read-write.
CheckResult check_device(const HostRoot& host, const std::string& name, const std::string& path,
                         const std::string& needed_for, bool required);
CheckResult check_unprivileged_ports(const HostRoot& host, const Caller& caller);
CheckResult check_ping_group_range(const HostRoot& host, const Caller& caller);
CheckResult check_xdg_runtime_dir(const HostRoot& host, const Caller& caller);
// slirp4netns and pasta: each present (and its version), a failure only when neither is.
std::vector<CheckResult> check_network_helpers(const HostRoot& host);

// --- parts the probes are made of, exposed for the unit tests ---
// The kernel's file capability (the security.capability xattr's bytes): whether `cap` (a
// CAP_* number) is in the permitted set with the effective bit. False for anything malformed.
bool file_caps_grant(const std::string& xattr, int cap);

enum class CgroupLayout { V1, Hybrid, V2 };
// From /proc/self/mounts' text: cgroup2 on /sys/fs/cgroup is v2, on /sys/fs/cgroup/unified
// hybrid, otherwise v1. `v2_mount` gets the cgroup2 mount point ("" for v1).
CgroupLayout cgroup_layout(const std::string& mounts, std::string* v2_mount);

CheckResult overlay_verdict(const LiveFindings& live);
CheckResult fuse_overlayfs_verdict(const HostRoot& host, const LiveFindings& live);

// Every check, in the order `roost check` prints them; `live` as gathered (or tried=false).
std::vector<CheckResult> run_checks(const HostRoot& host, const Caller& caller, const LiveFindings& live);

// "  ok    NAME: DETAIL" / "  FAIL  NAME: DETAIL: run as root: FIX", one line per result.
std::string format_text(const std::vector<CheckResult>& results);
// A JSON array of {name, status, detail, fix, fix_as_root}.
std::string format_json(const std::vector<CheckResult>& results);
// True when a result fails (`roost check` exits 1).
bool any_failed(const std::vector<CheckResult>& results);

}  // namespace roost::check
