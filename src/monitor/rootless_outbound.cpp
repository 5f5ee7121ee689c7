#include "monitor/rootless_outbound.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "monitor/netns_exec.hpp"
#include "monitor/runtime_runner.hpp"
#include "ns/net/driver_checks.hpp"
#include "ns/net/helper_process.hpp"
#include "sys/pause_process.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/process.hpp"
#include "util/unique_fd.hpp"

extern char** environ;

namespace roost::monitor {
namespace {

constexpr const char* kTap = "tap0";
constexpr int kReadyTimeoutMs = 5000;

std::filesystem::path record_path(const std::filesystem::path& run_root) { return run_root / "networks" / ".outbound"; }
// Written while a helper starts (under the lock): one found by the next connect was left by a
// monitor killed during its start, and is stopped.
std::filesystem::path starting_path(const std::filesystem::path& run_root) {
  return run_root / "networks" / ".outbound.starting";
}
std::filesystem::path log_path(const std::filesystem::path& run_root) { return run_root / "networks" / ".outbound.log"; }

std::optional<OutboundRecord> read_record(const std::filesystem::path& path) {
  try {
    return parse_outbound_record(read_file(path.string()));
  } catch (const Error&) {
    return std::nullopt;
  }
}

// The recorded process, when it still runs and is the one recorded (same start time). A zombie
// has exited: its pidfd reads as ready.
UniqueFd open_if_running(pid_t pid, uint64_t start_time) {
  if (pid <= 0) return {};
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd || sys::process_start_time(pid) != start_time) return {};
  struct pollfd p = {pidfd.get(), POLLIN, 0};
  if (::poll(&p, 1, 0) != 0) return {};
  return pidfd;
}

// SIGTERM, SIGKILL if it lingers; returns once it has exited (its tap device is gone with it).
void stop_helper(const OutboundRecord& record) {
  UniqueFd pidfd = open_if_running(record.pid, record.start_time);
  if (!pidfd) return;
  for (const int sig : {SIGTERM, SIGKILL}) {
    if (::syscall(SYS_pidfd_send_signal, pidfd.get(), sig, nullptr, 0) < 0) return;
    struct pollfd p = {pidfd.get(), POLLIN, 0};
    int n;
    while ((n = ::poll(&p, 1, 2000)) < 0 && errno == EINTR) {
    }
    if (n == 1) return;
  }
}

bool ready_byte(const std::string& received, bool) { return !received.empty(); }

// iptables-nft first: the legacy back end needs modules a user namespace cannot load. Looked up in
// /usr/sbin and /sbin too, which an ordinary user's PATH lacks.
std::string find_iptables() {
  for (const char* name : {"iptables-nft", "iptables"}) {
    std::string path = ns::find_program(name);
    if (!path.empty()) return path;
    for (const char* dir : {"/usr/sbin/", "/sbin/"})
      if (::access((std::string(dir) + name).c_str(), X_OK) == 0) return std::string(dir) + name;
  }
  return {};
}

// In the rootless network namespace: forwarding on, except from internal networks' bridges
// (writing ip_forward sets every device's flag), and tap0's masquerade rule unless it is there.
void configure_namespace(const std::string& iptables, const std::vector<std::string>& internal_bridges,
                         const std::filesystem::path& run_root) {
  write_file("/proc/sys/net/ipv4/ip_forward", "1", O_TRUNC);
  // /proc/sys/net follows the caller's network namespace; /sys stays the one it was mounted in.
  for (const std::string& bridge : internal_bridges)
    if (path_exists("/proc/sys/net/ipv4/conf/" + bridge)) disable_forwarding_from(bridge);
  // The legacy back end's lock file would be /run/xtables.lock, which the user cannot create.
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  env.push_back("XTABLES_LOCKFILE=" + (run_root / "networks" / ".xtables.lock").string());
  auto iptables_rule = [&](const char* op) {
    ProgramSpec spec;
    spec.argv = {iptables, "-t", "nat", op, "POSTROUTING", "-o", kTap, "-j", "MASQUERADE"};
    spec.env = &env;
    spec.capture_stderr = true;
    spec.timeout_seconds = 10;
    spec.stdout_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ProgramResult r = run_program(spec);
    if (spec.stdout_fd >= 0) ::close(spec.stdout_fd);
    return r;
  };
  if (iptables_rule("-C").succeeded()) return;
  const ProgramResult added = iptables_rule("-A");
  if (!added.succeeded()) {
    const std::string why = last_error_line(added.error_output, "iptables");
    throw Error(iptables + " (the masquerade rule of the rootless network namespace) " + added.describe() +
                (why.empty() ? "" : ": " + why));
  }
}

}  // namespace

std::string format_outbound_record(const OutboundRecord& r) {
  return std::to_string(r.pid) + " " + std::to_string(r.start_time) + " " + std::to_string(r.pause_pid) + " " +
         std::to_string(r.pause_start_time) + "\n";
}

std::optional<OutboundRecord> parse_outbound_record(const std::string& text) {
  const std::vector<std::string> fields = split(text.ends_with('\n') ? text.substr(0, text.size() - 1) : text, ' ');
  if (fields.size() != 4) return std::nullopt;
  uint64_t values[4];
  for (size_t i = 0; i < 4; ++i) {
    const std::string& f = fields[i];
    if (f.empty() || f.size() > 19 || f.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    values[i] = std::strtoull(f.c_str(), nullptr, 10);
  }
  if (values[0] == 0 || values[2] == 0 || values[0] > 0x7fffffff || values[2] > 0x7fffffff) return std::nullopt;
  return OutboundRecord{static_cast<pid_t>(values[0]), values[1], static_cast<pid_t>(values[2]), values[3]};
}

bool outbound_in_use(const ctr::NetworkStore& store) {
  for (const ctr::NetworkConfig& network : store.list())
    if (!network.internal && !store.leases(network.name).empty()) return true;
  return false;
}

void disable_forwarding_from(const std::string& bridge) {
  write_file("/proc/sys/net/ipv4/conf/" + bridge + "/forwarding", "0", O_TRUNC);
}

void ensure_outbound(const std::filesystem::path& run_root, const sys::PauseProcess& pause, int rootless_netns,
                     const ctr::NetworkStore& store) {
  const uint64_t pause_start = sys::process_start_time(pause.pid);
  if (const auto half_started = read_record(starting_path(run_root))) stop_helper(*half_started);
  ::unlink(starting_path(run_root).c_str());
  if (const auto recorded = read_record(record_path(run_root))) {
    if (recorded->pause_pid == pause.pid && recorded->pause_start_time == pause_start &&
        open_if_running(recorded->pid, recorded->start_time))
      return;
    stop_helper(*recorded);  // it served a namespace that is gone, or has died
  }
  ::unlink(record_path(run_root).c_str());

  const std::string slirp4netns = ns::find_program("slirp4netns");
  if (slirp4netns.empty())
    throw Error("containers on a user-defined network reach other networks through slirp4netns, which is not "
                "installed: install it (apt-get install slirp4netns), or create the network with --internal");
  const std::string iptables = find_iptables();
  if (iptables.empty())
    throw Error("containers on a user-defined network reach other networks through a masquerade rule, and "
                "iptables is not installed: install it (apt-get install iptables), or create the network with --internal");
  ns::require_tun("slirp4netns");

  std::vector<std::string> internal_bridges;
  for (const ctr::NetworkConfig& network : store.list())
    if (network.internal) internal_bridges.push_back(network.network_interface);

  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) < 0) throw_errno("create a pipe");
  UniqueFd ready_read(ready[0]), ready_write(ready[1]);
  // fd 3: --ready-fd; fd 4: the namespace, joined by path through slirp4netns's own fd table (no
  // pid that could be reused between here and its open). Not sandboxed: slirp4netns cannot sandbox
  // itself when it joins a namespace by path (slirp4netns issue #317), as with --detach-netns.
  ns::HelperSpec spec{"slirp4netns",
                      slirp4netns,
                      {"slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback", "--ready-fd=3",
                       "--netns-type=path", "/proc/self/fd/4", kTap},
                      {ready_write.get(), rootless_netns},
                      log_path(run_root).string(),
                      true};
  if (ns::kernel_has_seccomp()) spec.argv.insert(spec.argv.end() - 3, "--enable-seccomp");
  ns::HelperProcess helper(spec);
  ready_write.reset();
  // Detached, it would outlive this monitor killed before the record below: recorded at once.
  const OutboundRecord record{helper.pid(), sys::process_start_time(helper.pid()), pause.pid, pause_start};
  write_file_atomic(starting_path(run_root).string(), format_outbound_record(record), 0600);
  try {
    helper.wait_ready(ready_read.get(), ready_byte, kReadyTimeoutMs);  // stops it on failure
    in_netns(rootless_netns, "the rootless network namespace",
             [&] { configure_namespace(iptables, internal_bridges, run_root); });
    write_file_atomic(record_path(run_root).string(), format_outbound_record(record), 0600);
  } catch (...) {
    helper.stop();
    ::unlink(starting_path(run_root).c_str());
    throw;
  }
  ::unlink(starting_path(run_root).c_str());
  helper.release();
}

void stop_outbound(const std::filesystem::path& run_root) noexcept {
  for (const std::filesystem::path& path : {starting_path(run_root), record_path(run_root)}) {
    if (const auto recorded = read_record(path)) stop_helper(*recorded);
    ::unlink(path.c_str());
  }
}

void stop_outbound_if_unused(const std::filesystem::path& run_root, const ctr::NetworkStore& store) noexcept {
  try {
    if (!outbound_in_use(store)) stop_outbound(run_root);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "roost-monitor: stop the rootless network namespace's slirp4netns: %s\n", e.what());
  }
}

}  // namespace roost::monitor
