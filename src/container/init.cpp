#include "container/init.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "container/hooks.hpp"
#include "container/process_exec.hpp"
#include "container/sync_channel.hpp"
#include "sys/capabilities.hpp"
#include "sys/rlimits.hpp"
#include "sys/terminal.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/process.hpp"

namespace roost {
namespace {

void bring_up_loopback() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;  // no IPv4 in this kernel: nothing to bring up
  struct ifreq ifr = {};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (::ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
      ::close(fd);
      throw_errno("bring up the loopback interface");
    }
  }
  ::close(fd);
}


// Everything up to the user's program: runs in the container's init, after the runtime has
// written the id maps.
[[noreturn]] void set_up_and_exec(const InitConfig& cfg) {
  const oci::Spec& spec = *cfg.spec;
  const oci::Process& proc = *spec.process;
  const NamespacePlan& ns = *cfg.namespaces;

  if (ns.in_user_namespace()) become_namespace_root(proc.user);
  if (cfg.new_session_keyring) {
    // A session keyring of its own keeps the container from the caller's keys. Not every kernel
    // allows it (quota, user namespaces): then the container shares the caller's, as runc does.
    (void)::syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, "_ses.roost");
  }
  if (!spec.hostname.empty() && ::sethostname(spec.hostname.c_str(), spec.hostname.size()) < 0)
    throw_errno("sethostname");
  if (!spec.domainname.empty() && ::setdomainname(spec.domainname.c_str(), spec.domainname.size()) < 0)
    throw_errno("setdomainname");
  if (ns.new_flags & CLONE_NEWNET) bring_up_loopback();
  if (proc.oom_score_adj) {
    try {
      write_file("/proc/self/oom_score_adj", std::to_string(*proc.oom_score_adj), O_TRUNC);
    } catch (const SysError& e) {
      throw Error("set oomScoreAdj " + std::to_string(*proc.oom_score_adj) + ": " + errno_name(e.err()) +
                  (e.err() == EACCES ? " (an unprivileged container may only raise it)" : ""));
    }
  }

  prepare_rootfs(cfg.rootfs);

  const auto& hooks = spec.hooks;
  std::string state, running_state;
  const bool any_hooks = !hooks.prestart.empty() || !hooks.create_runtime.empty() ||
                         !hooks.create_container.empty() || !hooks.start_container.empty();
  if (any_hooks) {
    cfg.sync->send(SyncMsg::Hooks);
    std::string states = cfg.sync->expect(SyncMsg::HooksDone);
    auto newline = states.find('\n');
    state = states.substr(0, newline);
    running_state = newline == std::string::npos ? state : states.substr(newline + 1);
    run_hooks(hooks.create_container, "createContainer", state);
  }

  enter_rootfs(cfg.rootfs);
  if (proc.terminal) setup_container_terminal(cfg.console_fd, proc.console_size, proc.user.uid);
  finish_rootfs(cfg.rootfs);
  if (::chdir(proc.cwd.c_str()) < 0 && errno != EACCES) throw_errno("chdir to process.cwd " + proc.cwd);
  const std::string program = find_executable(proc);
  apply_rlimits(proc.rlimits);
  // The filter is loaded last, in exec_process; the SCMP_ACT_NOTIFY rules of a profile go in now,
  // while the runtime can still hand their fd to the agent. From here on they apply to the init
  // too, as with runc: the wait for start, the startContainer hooks, the switch to the process user.
  hand_over_seccomp_listener(cfg.seccomp, *cfg.sync);

  cfg.sync->send(SyncMsg::Ready);
  cfg.sync->close();
  if (cfg.console_fd >= 0) ::close(cfg.console_fd);

  // Wait for `start`: it writes one byte into the exec fifo.
  char byte;
  ssize_t n;
  while ((n = ::read(cfg.fifo_fd, &byte, 1)) < 0 && errno == EINTR) {
  }
  if (n != 1) throw_errno("wait for start");
  // The fifo stays open until execve closes it: that is how `start` knows the program runs.

  // From here errors go to the container's stderr: the runtime that created it has gone.
  run_hooks(hooks.start_container, "startContainer", running_state);
  exec_process(proc, program, {cfg.seccomp, cfg.preserve_fds, cfg.setgroups_allowed});
}

// With namespaces to join: join them, create the new ones, and fork when a pid namespace is
// involved (it applies to children only). Returns in the process that is to become init.
void enter_namespaces_by_steps(const InitConfig& cfg) {
  const NamespacePlan& ns = *cfg.namespaces;
  join_namespaces(ns);
  if (ns.new_user()) {
    if (::unshare(CLONE_NEWUSER) < 0) throw_errno("create user namespace");
    cfg.sync->send(SyncMsg::MapIds);
    cfg.sync->expect(SyncMsg::MapsDone);
  }
  if (::unshare(ns.new_flags & ~CLONE_NEWUSER) < 0) throw_errno("create namespaces");
  bool pid_ns = ns.new_flags & CLONE_NEWPID;
  for (const auto& j : ns.joins) pid_ns |= j.flag == CLONE_NEWPID;
  if (!pid_ns) return;
  GateAfterFork gate;
  pid_t child = ::fork();
  if (child < 0) throw_errno("fork into the pid namespace");
  if (child > 0) {
    cfg.sync->send(SyncMsg::Pid, std::to_string(child));
    _exit(0);  // opens the gate
  }
  gate.wait_for_parent_exit();
}

}  // namespace

void container_init(const InitConfig& cfg) {
  try {
    if (cfg.intermediate) {
      enter_namespaces_by_steps(cfg);
    } else if (cfg.namespaces->new_user()) {
      cfg.sync->send(SyncMsg::MapIds);
      cfg.sync->expect(SyncMsg::MapsDone);
    }
    set_up_and_exec(cfg);
  } catch (const std::exception& e) {
    // Before Ready the runtime reads this and reports it; after, the sync fd is closed and the
    // message goes to the container's stderr.
    std::string msg = e.what();
    if (cfg.sync->is_open()) {
      try {
        cfg.sync->send(SyncMsg::Error, msg);
      } catch (...) {
      }
    } else {
      dprintf(STDERR_FILENO, "roost-runtime: %s\n", msg.c_str());
    }
  }
  _exit(1);
}

}  // namespace roost
