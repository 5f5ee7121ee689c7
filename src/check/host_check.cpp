#include "check/host_check.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "idmap/subid.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/process.hpp"
#include "util/unique_fd.hpp"

namespace roost::check {
namespace fs = std::filesystem;

namespace {

CheckResult ok(std::string name, std::string detail) { return {std::move(name), CheckStatus::Ok, std::move(detail), {}}; }
CheckResult warn(std::string name, std::string detail, idmap::HostFix fix = {}) {
  return {std::move(name), CheckStatus::Warn, std::move(detail), std::move(fix)};
}
CheckResult fail(std::string name, std::string detail, idmap::HostFix fix = {}) {
  return {std::move(name), CheckStatus::Fail, std::move(detail), std::move(fix)};
}

std::optional<std::string> read_optional(const fs::path& path) {
  try {
    return read_file(path.string());
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::string trim(std::string v) {
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  size_t i = 0;
  while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
  return v.substr(i);
}

// A sysctl's value, nullopt when this kernel does not have it.
std::optional<std::string> sysctl(const HostRoot& host, const std::string& key) {
  std::string rel = key;
  std::replace(rel.begin(), rel.end(), '.', '/');
  auto v = read_optional(host.at("/proc/sys/" + rel));
  if (!v) return std::nullopt;
  return trim(*v);
}

std::optional<long long> to_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno || *end) return std::nullopt;
  return v;
}

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

std::string who(const Caller& caller) { return caller.name.empty() ? "uid " + std::to_string(caller.uid) : caller.name; }

// The line of `PROGRAM --version` that names the program and a version (slirp4netns,
// fuse-overlayfs and pasta each print it differently; fuse-overlayfs prints fusermount3's first),
// else the first that names a version, else the first line.
std::string program_version(const fs::path& path) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) return "";
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  ProgramSpec spec;
  spec.argv = {path.string(), "--version"};
  spec.stdout_fd = write_end.get();
  spec.capture_stderr = true;
  spec.timeout_seconds = 5;
  ProgramResult r;
  try {
    r = run_program(spec);
  } catch (const Error&) {
    return "";
  }
  write_end.reset();
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(read_end.get(), buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  out += r.error_output;
  const std::string program = path.filename().string();
  std::string first, any_version;
  for (const auto& line : split(out, '\n')) {
    const std::string t = trim(line);
    if (t.empty()) continue;
    if (first.empty()) first = t;
    if (t.find("version") == std::string::npos) continue;
    if (t.find(program) != std::string::npos) return t;
    if (any_version.empty()) any_version = t;
  }
  return any_version.empty() ? first : any_version;
}

struct KernelVersion {
  int major = 0, minor = 0;
  bool at_least(int ma, int mi) const { return major > ma || (major == ma && minor >= mi); }
};

std::optional<KernelVersion> parse_kernel_version(const std::string& release) {
  KernelVersion v;
  if (std::sscanf(release.c_str(), "%d.%d", &v.major, &v.minor) != 2) return std::nullopt;
  return v;
}

}  // namespace

const char* status_name(CheckStatus s) {
  switch (s) {
    case CheckStatus::Ok: return "ok";
    case CheckStatus::Warn: return "warn";
    case CheckStatus::Fail: return "fail";
  }
  return "fail";
}

fs::path HostRoot::at(const std::string& absolute) const {
  std::string rel = absolute;
  while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
  return rel.empty() ? root : root / rel;
}

Caller Caller::current() {
  Caller c;
  c.uid = ::geteuid();
  c.gid = ::getegid();
  struct passwd pw, *res = nullptr;
  char buf[4096];
  if (::getpwuid_r(c.uid, &pw, buf, sizeof buf, &res) == 0 && res) c.name = res->pw_name;
  const int n = ::getgroups(0, nullptr);
  if (n > 0) {
    c.groups.resize(static_cast<size_t>(n));
    const int got = ::getgroups(n, c.groups.data());
    c.groups.resize(got > 0 ? static_cast<size_t>(got) : 0);
  }
  if (const char* x = ::getenv("XDG_RUNTIME_DIR")) c.xdg_runtime_dir = x;
  return c;
}

fs::path find_program(const HostRoot& host, const std::string& name) {
  // The directories idmap::find_helper searches, in its order, so the check sees what roost uses.
  for (const char* dir : {"/usr/bin/", "/bin/", "/usr/sbin/", "/usr/local/bin/"}) {
    const fs::path p = host.at(std::string(dir) + name);
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return {};
}

// --- kernel and user namespaces ---

CheckResult check_kernel(const HostRoot& host) {
  const auto release = read_optional(host.at("/proc/sys/kernel/osrelease"));
  if (!release) return warn("kernel", "cannot read /proc/sys/kernel/osrelease");
  const std::string r = trim(*release);
  const auto v = parse_kernel_version(r);
  if (!v) return warn("kernel", "unrecognised release " + r);
  if (!v->at_least(3, 8))
    return fail("kernel", r + ": unprivileged user namespaces need Linux 3.8 or later (5.11 for overlay in them)");
  if (!v->at_least(5, 11))
    return warn("kernel", r + ": overlay in a user namespace needs Linux 5.11 (fuse-overlayfs does the job, slower)");
  if (!v->at_least(5, 12)) return ok("kernel", r + " (overlay in user namespaces; idmapped mounts need 5.12)");
  return ok("kernel", r + " (overlay in user namespaces from 5.11, idmapped mounts from 5.12)");
}

CheckResult check_user_namespaces(const HostRoot& host, const Caller& caller, const LiveFindings& live) {
  const std::string name = "user namespaces";
  const auto max = sysctl(host, "user.max_user_namespaces");
  const std::string limit = max ? " (user.max_user_namespaces=" + *max + ")" : "";
  const idmap::UsernsBlock block = idmap::userns_block(host.at("/proc/sys"));
  const bool live_ok = live.tried && live.userns_error.empty();
  const std::string made = live_ok && !live.map_summary.empty() ? "; one was made and mapped: " + live.map_summary : "";
  // Root is held back only by the namespace limit: CAP_SYS_ADMIN passes the other two.
  const bool limit_zero = max && *max == "0";
  if (!block.why.empty() && (!caller.root() || limit_zero)) {
    const bool apparmor = block.why.starts_with("kernel.apparmor_restrict_unprivileged_userns");
    if (apparmor && live_ok)
      return ok(name, "allowed: kernel.apparmor_restrict_unprivileged_userns=1, but roost's AppArmor profile lets it "
                      "through" + made);
    return fail(name, block.why + (live.tried && !live.userns_error.empty() ? " (" + live.userns_error + ")" : ""),
                block.fix);
  }
  if (live.tried && !live.userns_error.empty()) return fail(name, "cannot make one: " + live.userns_error);
  if (max) {
    const auto n = to_number(*max);
    if (n && *n < 64)
      return warn(name, "allowed, but user.max_user_namespaces=" + *max + " leaves room for few containers",
                  idmap::sysctl_fix("user.max_user_namespaces", "15000"));
  }
  return ok(name, "allowed" + limit + made);
}

// --- subordinate ids and their helpers ---

CheckResult check_subid(const HostRoot& host, const Caller& caller, const std::string& file) {
  const std::string path = "/etc/" + file;
  if (caller.root()) return ok(file, "not needed as root (root maps the host's ids directly)");
  const auto text = read_optional(host.at(path));
  const auto ranges = text ? idmap::parse_subid(*text, caller.name, caller.uid) : std::vector<idmap::SubIdRange>{};
  const idmap::HostFix fix = idmap::subid_range_fix(caller.name.empty() ? std::to_string(caller.uid) : caller.name,
                                                    host.at("/etc"));
  if (ranges.empty())
    return fail(file, (text ? "no range for " + who(caller) + " in " + path : path + " does not exist") +
                          " (only your own id maps: every file of an image becomes yours)",
                fix);
  uint64_t total = 0;
  std::string spans;
  for (const auto& r : ranges) {
    total += r.count;
    spans += (spans.empty() ? "" : ", ") + std::to_string(r.start) + "-" + std::to_string(uint64_t{r.start} + r.count - 1);
  }
  const std::string found = who(caller) + " has " + spans + " (" + std::to_string(total) + " ids) in " + path;
  if (total < 65536)
    return warn(file, found + ": fewer than 65536, so images with ids above " + std::to_string(total) + " fail to unpack",
                fix);
  return ok(file, found);
}

bool file_caps_grant(const std::string& xattr, int cap) {
  // struct vfs_cap_data / vfs_ns_cap_data (linux/capability.h), little-endian on disk.
  auto le32 = [&](size_t at) {
    const auto* p = reinterpret_cast<const unsigned char*>(xattr.data()) + at;
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
  };
  if (xattr.size() < 4 || cap < 0 || cap > 63) return false;
  const uint32_t magic = le32(0);
  const uint32_t revision = magic & VFS_CAP_REVISION_MASK;
  size_t words = 0;
  if (revision == VFS_CAP_REVISION_1 && xattr.size() == XATTR_CAPS_SZ_1) words = 1;
  else if (revision == VFS_CAP_REVISION_2 && xattr.size() == XATTR_CAPS_SZ_2) words = 2;
  else if (revision == VFS_CAP_REVISION_3 && xattr.size() == XATTR_CAPS_SZ_3) words = 2;
  else return false;
  // A v3 entry with a non-zero root id belongs to a user namespace and grants nothing on the host.
  if (revision == VFS_CAP_REVISION_3 && le32(XATTR_CAPS_SZ_2) != 0) return false;
  if (!(magic & VFS_CAP_FLAGS_EFFECTIVE)) return false;
  const size_t word = static_cast<size_t>(cap) / 32;
  if (word >= words) return false;
  const uint32_t permitted = le32(4 + word * 8);
  return permitted & (uint32_t{1} << (cap % 32));
}

CheckResult check_id_helper(const HostRoot& host, const Caller& caller, const std::string& name) {
  const fs::path path = find_program(host, name);
  if (path.empty()) {
    if (caller.root()) return warn(name, "not installed (root writes id maps itself; other users need it)", idmap::uidmap_install_fix());
    return fail(name, "not installed: the /etc/subuid and /etc/subgid ranges cannot be mapped", idmap::uidmap_install_fix());
  }
  const int cap = name == "newgidmap" ? CAP_SETGID : CAP_SETUID;
  const char* cap_name = name == "newgidmap" ? "cap_setgid" : "cap_setuid";
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) return fail(name, path.string() + ": " + errno_name(errno));
  std::string how;
  if ((st.st_mode & S_ISUID) && st.st_uid == 0) {
    how = "setuid root";
  } else {
    char buf[64];
    const ssize_t n = ::getxattr(path.c_str(), "security.capability", buf, sizeof buf);
    if (n > 0 && file_caps_grant(std::string(buf, static_cast<size_t>(n)), cap)) how = std::string("file capability ") + cap_name + "+ep";
  }
  const std::string shown = path.string();
  if (how.empty()) {
    const std::string detail = shown + " (mode " + octal_mode(st.st_mode) + ", owner uid " + std::to_string(st.st_uid) +
                               ") is neither setuid root nor has " + cap_name + "+ep: it cannot write the id maps";
    const idmap::HostFix fix{"chown root " + shown + " && chmod u+s " + shown, true};
    return caller.root() ? warn(name, detail + " for other users", fix) : fail(name, detail, fix);
  }
  struct statvfs vfs;
  if (::statvfs(path.c_str(), &vfs) == 0 && (vfs.f_flag & ST_NOSUID)) {
    const std::string detail = shown + " is " + how + " but on a nosuid mount, which ignores that";
    const idmap::HostFix fix{"mount -o remount,suid $(stat -c %m " + shown + ")", true};
    return caller.root() ? warn(name, detail, fix) : fail(name, detail, fix);
  }
  return ok(name, shown + ", " + how);
}

// --- cgroups ---

CgroupLayout cgroup_layout(const std::string& mounts, std::string* v2_mount) {
  std::string unified;
  for (const auto& line : split(mounts, '\n')) {
    const auto f = split(line, ' ');
    if (f.size() < 3 || f[2] != "cgroup2") continue;
    if (f[1] == "/sys/fs/cgroup") {
      if (v2_mount) *v2_mount = f[1];
      return CgroupLayout::V2;
    }
    if (f[1] == "/sys/fs/cgroup/unified") unified = f[1];
  }
  if (v2_mount) *v2_mount = unified;
  return unified.empty() ? CgroupLayout::V1 : CgroupLayout::Hybrid;
}

namespace {

// The v1 hierarchies' controllers, from their mount options ("cpu", "memory", ...).
std::vector<std::string> v1_controllers(const std::string& mounts) {
  static const char* const kKnown[] = {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio",
                                       "pids", "hugetlb", "net_cls", "net_prio", "perf_event", "rdma", "misc"};
  std::vector<std::string> out;
  for (const auto& line : split(mounts, '\n')) {
    const auto f = split(line, ' ');
    if (f.size() < 4 || f[2] != "cgroup") continue;
    for (const auto& opt : split(f[3], ','))
      for (const char* k : kKnown)
        if (opt == k && std::find(out.begin(), out.end(), opt) == out.end()) out.push_back(opt);
  }
  return out;
}

std::string join(const std::vector<std::string>& v, const char* sep = " ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& w : split(trim(text), ' '))
    if (!w.empty()) out.push_back(trim(w));
  return out;
}

const char* const kLimitControllers[] = {"memory", "pids", "cpu"};

// Gives the user's systemd instance, and so each login's cgroup, the controllers (podman's advice).
idmap::HostFix systemd_delegate_fix() {
  return {"mkdir -p /etc/systemd/system/user@.service.d && printf '[Service]\\nDelegate=cpu cpuset io memory pids\\n' "
          "> /etc/systemd/system/user@.service.d/delegate.conf && systemctl daemon-reload (then log in again)",
          true};
}

idmap::HostFix unified_boot_fix() {
  return {"sed -i 's/^GRUB_CMDLINE_LINUX=\"/&systemd.unified_cgroup_hierarchy=1 /' /etc/default/grub && update-grub "
          "&& reboot",
          true};
}

}  // namespace

CheckResult check_cgroups(const HostRoot& host, const Caller& caller) {
  const std::string name = "cgroups";
  const auto mounts = read_optional(host.at("/proc/self/mounts"));
  if (!mounts) return warn(name, "cannot read /proc/self/mounts");
  std::string v2_mount;
  const CgroupLayout layout = cgroup_layout(*mounts, &v2_mount);

  // The caller's own v2 cgroup and what it holds.
  std::string own, where;
  std::vector<std::string> controllers, enabled;
  bool owned = false;
  if (!v2_mount.empty()) {
    if (const auto self = read_optional(host.at("/proc/self/cgroup")))
      for (const auto& line : split(*self, '\n'))
        if (line.starts_with("0::")) own = line.substr(3);
    if (!own.empty()) {
      const fs::path dir = host.at(v2_mount + (own == "/" ? "" : own));
      if (auto c = read_optional(dir / "cgroup.controllers")) controllers = words(*c);
      if (auto s = read_optional(dir / "cgroup.subtree_control")) enabled = words(*s);
      struct stat st;
      if (::stat(dir.c_str(), &st) == 0) {
        owned = caller.root() || st.st_uid == caller.uid;
        where = "your cgroup " + own + " (owner uid " + std::to_string(st.st_uid) + (owned ? ")" : ", not you)");
      } else {
        where = "your cgroup " + own + " (" + errno_name(errno) + " at " + v2_mount + own + ")";
      }
      where += ", controllers: " + (controllers.empty() ? std::string("none") : join(controllers)) +
               ", enabled for children: " + (enabled.empty() ? std::string("none") : join(enabled));
    } else {
      where = "no cgroup v2 entry in /proc/self/cgroup";
    }
  }
  std::vector<std::string> missing;
  for (const char* c : kLimitControllers)
    if (std::find(controllers.begin(), controllers.end(), c) == controllers.end()) missing.push_back(c);

  if (layout != CgroupLayout::V2) {
    const auto v1 = v1_controllers(*mounts);
    std::string detail = layout == CgroupLayout::Hybrid
                             ? "hybrid: the v1 hierarchies hold " + (v1.empty() ? std::string("no controller") : join(v1)) +
                                   "; the v2 tree at " + v2_mount + " has " + where
                             : "v1 only (" + (v1.empty() ? std::string("no controller") : join(v1)) + "), no v2 tree";
    detail += "; roost uses cgroup v2 only, so --memory, --cpus and --pids-limit are unavailable (refused) and "
              "containers run in your cgroup";
    return warn(name, detail, unified_boot_fix());
  }
  const std::string detail = "v2, " + where;
  if (!owned)
    return warn(name, detail + ": nothing is delegated to you, so limits are unavailable (refused) and containers "
                               "run in your cgroup",
                systemd_delegate_fix());
  if (!missing.empty())
    return warn(name, detail + ": limits that need " + join(missing, ", ") + " are unavailable (refused)",
                systemd_delegate_fix());
  return ok(name, detail + ": limits work");
}

// --- devices, ports, ping, runtime dir ---

CheckResult check_device(const HostRoot& host, const std::string& name, const std::string& path,
                         const std::string& needed_for, bool required) {
  auto verdict = [&](std::string detail, idmap::HostFix fix) {
    detail += " (" + needed_for + ")";
    return required ? fail(name, std::move(detail), std::move(fix)) : warn(name, std::move(detail), std::move(fix));
  };
  const fs::path p = host.at(path);
  const std::string module = name == "/dev/fuse" ? "fuse" : "tun";
  struct stat st;
  if (::stat(p.c_str(), &st) < 0) return verdict(path + " is missing", {"modprobe " + module, true});
  if (!S_ISCHR(st.st_mode)) return verdict(path + " is not a character device", {"rm " + path + " && modprobe " + module, true});
  const std::string what = "character device " + std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev)) +
                           ", mode " + octal_mode(st.st_mode);
  UniqueFd fd(::open(p.c_str(), O_RDWR | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return verdict(what + ", cannot be opened read-write: " + errno_name(errno), {"chmod 0666 " + path, true});
  return ok(name, what + ", opens read-write");
}

CheckResult check_unprivileged_ports(const HostRoot& host, const Caller& caller) {
  const std::string name = "unprivileged ports";
  const auto v = sysctl(host, "net.ipv4.ip_unprivileged_port_start");
  if (caller.root()) return ok(name, "root publishes any port");
  if (!v) return warn(name, "no net.ipv4.ip_unprivileged_port_start (kernel before 4.11): ports below 1024 cannot be published");
  const auto n = to_number(*v);
  if (!n) return warn(name, "net.ipv4.ip_unprivileged_port_start=" + *v + " is not a number");
  if (*n <= 80) return ok(name, "ports from " + *v + " up can be published (net.ipv4.ip_unprivileged_port_start=" + *v + ")");
  return warn(name, "net.ipv4.ip_unprivileged_port_start=" + *v + ": ports below " + *v + " (80, 443) cannot be published",
              idmap::sysctl_fix("net.ipv4.ip_unprivileged_port_start", "80"));
}

CheckResult check_ping_group_range(const HostRoot& host, const Caller& caller) {
  const std::string name = "ping";
  const auto v = sysctl(host, "net.ipv4.ping_group_range");
  if (caller.root()) return ok(name, "root pings with raw sockets");
  if (!v) return warn(name, "no net.ipv4.ping_group_range");
  long long lo = 0, hi = 0;
  if (std::sscanf(v->c_str(), "%lld %lld", &lo, &hi) != 2) return warn(name, "net.ipv4.ping_group_range=" + *v + " is unreadable");
  std::vector<gid_t> gids{caller.gid};
  gids.insert(gids.end(), caller.groups.begin(), caller.groups.end());
  for (gid_t g : gids)
    if (lo <= g && g <= hi)
      return ok(name, "gid " + std::to_string(g) + " is in net.ipv4.ping_group_range " + std::to_string(lo) + "-" +
                          std::to_string(hi) + ": ping works with --network host");
  return warn(name, "your gid " + std::to_string(caller.gid) + " is outside net.ipv4.ping_group_range (" + std::to_string(lo) +
                        " " + std::to_string(hi) + "): ping fails with --network host (a container's own network "
                        "namespace has its own range)",
              idmap::sysctl_fix("net.ipv4.ping_group_range", "0 2147483647"));
}

CheckResult check_xdg_runtime_dir(const HostRoot& host, const Caller& caller) {
  const std::string name = "XDG_RUNTIME_DIR";
  if (caller.root()) return ok(name, "not used as root (run-time state in /run/roost)");
  const idmap::HostFix linger{"loginctl enable-linger " + who(caller) + " (then log in again)", true};
  if (!caller.xdg_runtime_dir || caller.xdg_runtime_dir->empty())
    return warn(name, "unset: roost keeps its run-time state in /tmp/roost-" + std::to_string(caller.uid) +
                          " (a login session through pam_systemd sets it)", linger);
  const std::string& dir = *caller.xdg_runtime_dir;
  struct stat st;
  if (::stat(host.at(dir).c_str(), &st) < 0)
    return fail(name, dir + " does not exist (" + errno_name(errno) + "): roost cannot keep its run-time state there", linger);
  if (!S_ISDIR(st.st_mode)) return fail(name, dir + " is not a directory", linger);
  if (st.st_uid != caller.uid)
    return fail(name, dir + " belongs to uid " + std::to_string(st.st_uid) + ", not to you (uid " + std::to_string(caller.uid) +
                          "): roost cannot keep its run-time state there",
                {"export XDG_RUNTIME_DIR=/run/user/" + std::to_string(caller.uid), false});
  if ((st.st_mode & 07777) != 0700)
    return warn(name, dir + " has mode " + octal_mode(st.st_mode) + ", not 0700: other users can reach roost's run-time state",
                {"chmod 0700 " + dir, false});
  return ok(name, dir + " (yours, mode 0700)");
}

std::vector<CheckResult> check_network_helpers(const HostRoot& host) {
  const fs::path slirp = find_program(host, "slirp4netns");
  const fs::path pasta = find_program(host, "pasta");
  const bool none = slirp.empty() && pasta.empty();
  std::vector<CheckResult> out;
  for (const auto& [name, path, package] : {std::tuple{"slirp4netns", slirp, "slirp4netns"}, std::tuple{"pasta", pasta, "passt"}}) {
    if (!path.empty()) {
      const std::string version = program_version(path);
      out.push_back(ok(name, path.string() + (version.empty() ? "" : ": " + version)));
    } else if (none) {
      out.push_back(fail(name, "not installed, nor is the other: containers get no network but none and host",
                         {"apt-get install slirp4netns passt", true}));
    } else {
      out.push_back(warn(name, std::string("not installed (") + (slirp.empty() ? "pasta" : "slirp4netns") + " is there)",
                         {std::string("apt-get install ") + package, true}));
    }
  }
  return out;
}

// --- the overlay verdicts ---

CheckResult overlay_verdict(const LiveFindings& live) {
  const std::string name = "overlayfs";
  if (!live.tried) return warn(name, "not tested");
  if (!live.userns_error.empty()) return fail(name, "not tested: no user namespace to mount it in");
  const std::string on = live.storage.empty() ? "" : " (test mount in " + live.storage + ")";
  // Real root tests in a mount namespace only (no map): its layers need no user namespace.
  const std::string in = live.map_summary.empty() ? "" : " in a user namespace";
  if (live.kernel_overlay_error.empty())
    return ok(name, "the kernel's overlay mounts" + in + ", whiteouts and opaque directories right" + on);
  if (live.fuse_overlay_error.empty())
    return warn(name, "the kernel's overlay fails in a user namespace (" + live.kernel_overlay_error +
                          "): fuse-overlayfs is used instead, slower" + on);
  return fail(name, "the kernel's overlay fails in a user namespace (" + live.kernel_overlay_error +
                        ") and so does fuse-overlayfs (" + live.fuse_overlay_error +
                        "): images cannot be used (ROOST_STORAGE_DRIVER=copy makes plain copies)" + on,
              {"apt-get install fuse-overlayfs", true});
}

CheckResult fuse_overlayfs_verdict(const HostRoot& host, const LiveFindings& live) {
  const std::string name = "fuse-overlayfs";
  const bool kernel_ok = live.tried && live.userns_error.empty() && live.kernel_overlay_error.empty();
  const fs::path path = find_program(host, "fuse-overlayfs");
  const idmap::HostFix install{"apt-get install fuse-overlayfs", true};
  if (path.empty())
    return kernel_ok ? warn(name, "not installed (not needed while the kernel's overlay works)", install)
                     : fail(name, "not installed, and the kernel's overlay does not work here", install);
  const std::string version = program_version(path);
  const std::string found = path.string() + (version.empty() ? "" : " (" + version + ")");
  if (!live.tried || !live.userns_error.empty()) return warn(name, found + ": not tested");
  if (live.fuse_overlay_error.empty())
    return ok(name, found + (live.map_summary.empty() ? ", mounts" : ", mounts in a user namespace"));
  const std::string detail = found + ": a test mount in a user namespace fails (" + live.fuse_overlay_error + ")";
  return kernel_ok ? warn(name, detail + "; the kernel's overlay is used") : fail(name, detail);
}

// --- all of them ---

std::vector<CheckResult> run_checks(const HostRoot& host, const Caller& caller, const LiveFindings& live) {
  std::vector<CheckResult> out;
  out.push_back(check_kernel(host));
  out.push_back(check_user_namespaces(host, caller, live));
  out.push_back(check_subid(host, caller, "subuid"));
  out.push_back(check_subid(host, caller, "subgid"));
  out.push_back(check_id_helper(host, caller, "newuidmap"));
  out.push_back(check_id_helper(host, caller, "newgidmap"));
  out.push_back(check_cgroups(host, caller));
  out.push_back(overlay_verdict(live));
  out.push_back(check_device(host, "/dev/fuse", "/dev/fuse", "fuse-overlayfs needs it", false));
  out.push_back(fuse_overlayfs_verdict(host, live));
  out.push_back(check_device(host, "/dev/net/tun", "/dev/net/tun", "slirp4netns and pasta need it", true));
  for (auto& r : check_network_helpers(host)) out.push_back(std::move(r));
  out.push_back(check_unprivileged_ports(host, caller));
  out.push_back(check_ping_group_range(host, caller));
  out.push_back(check_xdg_runtime_dir(host, caller));
  return out;
}

std::string format_text(const std::vector<CheckResult>& results) {
  std::string out;
  for (const auto& r : results) {
    const char* word = r.status == CheckStatus::Ok ? "ok    " : r.status == CheckStatus::Warn ? "warn  " : "FAIL  ";
    out += std::string("  ") + word + r.name + ": " + r.detail + (r.fix.empty() ? "" : ": " + r.fix.text()) + "\n";
  }
  return out;
}

std::string format_json(const std::vector<CheckResult>& results) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& r : results)
    all.push_back({{"name", r.name}, {"status", status_name(r.status)}, {"detail", r.detail}, {"fix", r.fix.command},
                   {"fix_as_root", r.fix.as_root}});
  return all.dump(4) + "\n";
}

bool any_failed(const std::vector<CheckResult>& results) {
  return std::any_of(results.begin(), results.end(), [](const CheckResult& r) { return r.status == CheckStatus::Fail; });
}

}  // namespace roost::check
