// exec: a new process in a running container. The runtime forks a child that joins the
// container's namespaces (the user namespace first, then the rest) and forks again, so the
// grandchild is inside the container's pid namespace; that grandchild sets up the process as the
// init does for the first one and execs. Its sync socket closes on execve: EOF means success.
#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>

#include "container/foreground.hpp"
#include "container/lifecycle.hpp"
#include "container/exe_guard.hpp"
#include "container/process_exec.hpp"
#include "container/seccomp_listener.hpp"
#include "container/status.hpp"
#include "container/sync_channel.hpp"
#include "sys/capabilities.hpp"
#include "sys/cgroup_manager.hpp"
#include "sys/namespaces.hpp"
#include "sys/rlimits.hpp"
#include "sys/seccomp.hpp"
#include "sys/seccomp_cache.hpp"
#include "sys/terminal.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/process.hpp"
#include "util/unique_fd.hpp"

namespace roost {
namespace {

uint32_t parse_id(const std::string& text, const std::string& what) {
  uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v == UINT32_MAX)
    throw Error("--user: " + what + " \"" + text + "\" is not a number");
  return v;
}

void set_env(std::vector<std::string>& env, const std::string& entry) {
  auto eq = entry.find('=');
  if (eq == std::string::npos || eq == 0) throw Error("--env \"" + entry + "\": expected KEY=VALUE");
  const std::string prefix = entry.substr(0, eq + 1);
  for (auto& e : env)
    if (starts_with(e, prefix)) {
      e = entry;
      return;
    }
  env.push_back(entry);
}

oci::Process build_process(const oci::Spec& spec, const ExecRequest& req) {
  if (!req.process_file.empty()) {
    oci::Process proc = oci::parse_process(read_file(req.process_file));
    if (req.tty) proc.terminal = true;
    return proc;
  }
  if (req.args.empty()) throw Error("exec: give the command to run, or --process FILE");
  oci::Process proc = *spec.process;
  proc.args = req.args;
  proc.terminal = req.tty;
  for (const auto& e : req.env) set_env(proc.env, e);
  if (!req.cwd.empty()) {
    if (req.cwd[0] != '/') throw Error("--cwd must be an absolute path");
    proc.cwd = req.cwd;
  }
  if (!req.user.empty()) {
    auto colon = req.user.find(':');
    proc.user.uid = parse_id(req.user.substr(0, colon), "uid");
    proc.user.gid = colon == std::string::npos ? 0 : parse_id(req.user.substr(colon + 1), "gid");
    proc.user.additional_gids.clear();
  }
  if (!req.caps.empty()) {
    oci::Capabilities caps = proc.capabilities.value_or(oci::Capabilities{});
    // Never the inheritable set (CVE-2022-29162): a capability there survives into programs the
    // process runs that are not meant to have it.
    for (auto* set : {&caps.bounding, &caps.effective, &caps.permitted, &caps.ambient})
      for (const auto& c : req.caps) set->push_back(c);
    proc.capabilities = std::move(caps);
  }
  if (req.no_new_privs) proc.no_new_privileges = true;
  return proc;
}

std::string ns_link(const std::string& proc_dir, const std::string& name) {
  char buf[128];
  ssize_t n = ::readlink((proc_dir + "/ns/" + name).c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// The container's namespaces that differ from ours, the user namespace first.
std::vector<JoinedNamespace> container_namespaces(const oci::Spec& spec, pid_t pid) {
  std::vector<JoinedNamespace> out;
  const std::string theirs = "/proc/" + std::to_string(pid);
  for (const auto& ns : spec.linux.namespaces) {
    const std::string name = namespace_proc_name(ns.type);
    if (ns_link(theirs, name) == ns_link("/proc/self", name)) continue;
    JoinedNamespace j{ns.type, namespace_clone_flag(ns.type), UniqueFd(::open((theirs + "/ns/" + name).c_str(), O_RDONLY | O_CLOEXEC))};
    if (!j.fd && errno == ENOENT) throw Error("cannot exec in the container: its process has exited");
    if (!j.fd) throw_errno("open the container's " + ns.type + " namespace");
    if (j.flag == CLONE_NEWUSER)
      out.insert(out.begin(), std::move(j));
    else
      out.push_back(std::move(j));
  }
  return out;
}


// Phase 1, the container as its state dir tells it: record, status and config.
struct ExecTarget {
  oci::Spec spec;
  StateRecord record;
  Status status;
};

ExecTarget load_target(const Runtime& rt, const std::string& id) {
  ExecTarget t;
  ContainerDir dir = ContainerDir::open(rt.store, id);
  t.record = dir.read();
  t.status = container_status(t.record, dir.path());
  if (t.status != Status::Running && t.status != Status::Created)
    throw Error("cannot exec in container \"" + id + "\": it is " + status_name(t.status));
  t.spec = oci::parse_spec(read_file(dir.config_path()), oci::SeccompParse::Deferred);
  return t;
}

// Phase 2, the plan: the process, its filter, the namespaces to join and whether setgroups works
// there.
struct ExecPlan {
  oci::Process proc;
  std::optional<SeccompFilter> seccomp;
  NamespacePlan ns;
  bool in_userns = false;
  bool setgroups_allowed = true;
};

ExecPlan plan_exec(const Runtime& rt, const ExecTarget& t, const ExecRequest& req) {
  // Before anything with a side effect: this may re-execute the runtime (CVE-2019-5736).
  protect_runtime_binary(container_ids_of(t.record.pid));
  ExecPlan plan{build_process(t.spec, req)};
  if (plan.proc.capabilities) validate_capabilities(*plan.proc.capabilities);
  validate_rlimits(plan.proc.rlimits);
  plan.seccomp = compile_seccomp_cached(t.spec.linux, rt.store.seccomp_cache_dir());
  plan.ns.joins = container_namespaces(t.spec, t.record.pid);
  plan.in_userns = plan.ns.joins_user() || t.spec.has_namespace("user");
  std::string setgroups = "allow";
  try {
    setgroups = read_file("/proc/" + std::to_string(t.record.pid) + "/setgroups");
  } catch (const Error&) {
  }
  plan.setgroups_allowed = setgroups.rfind("deny", 0) != 0;
  return plan;
}

// The pty's way out: --console-socket, or a socket pair whose other end (relay) the runtime keeps
// to relay the pty to its own stdio.
struct ExecConsole {
  UniqueFd console, relay;
};

ExecConsole open_console(const oci::Process& proc, const ExecRequest& req) {
  ExecConsole c;
  if (!proc.terminal) return c;
  if (!req.console_socket.empty()) {
    c.console = connect_console_socket(req.console_socket);
  } else if (!req.detach) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) throw_errno("socketpair");
    c.relay.reset(pair[0]);
    c.console.reset(pair[1]);
  } else {
    throw Error("exec --tty --detach needs --console-socket");
  }
  return c;
}

// Phase 3, in the forked child: into the container's cgroup and namespaces, fork into its pid
// namespace, and set up and exec the process there. Errors go up `channel`.
[[noreturn]] void exec_child(const ExecTarget& t, const ExecPlan& plan, const ExecRequest& req, UniqueFd console,
                             const SyncChannel& channel) {
  const oci::Process& proc = plan.proc;
  try {
    // Into the container's cgroup first, while the host's cgroup tree is still in view: its
    // limits, freezer and kill apply to this process as to the rest of the container.
    if (!t.record.cgroup.empty()) join_cgroup(t.record.cgroup, ::getpid());
    join_namespaces(plan.ns);
    GateAfterFork gate;
    pid_t grandchild = ::fork();
    if (grandchild < 0) throw_errno("fork into the container's pid namespace");
    if (grandchild > 0) {
      channel.send(SyncMsg::Pid, std::to_string(grandchild));
      _exit(0);  // opens the gate
    }
    gate.wait_for_parent_exit();
    if (plan.in_userns) become_namespace_root(proc.user);
    if (proc.terminal) attach_new_pty(console.get(), proc.console_size, proc.user.uid);
    console.reset();
    apply_rlimits(proc.rlimits);
    if (::chdir(proc.cwd.c_str()) < 0 && errno != EACCES) throw_errno("chdir to " + proc.cwd);
    const std::string program = find_executable(proc);
    const SeccompFilter* filter = plan.seccomp ? &*plan.seccomp : nullptr;
    hand_over_seccomp_listener(filter, channel);
    exec_process(proc, program, {filter, req.preserve_fds, plan.setgroups_allowed});
  } catch (const std::exception& e) {
    try {
      channel.send(SyncMsg::Error, e.what());
    } catch (...) {
    }
  }
  _exit(127);
}

// Phase 4, serving the new process until it execs (EOF: the socket is close-on-exec). Before it,
// the process may send its seccomp notify fd for listenerPath and wait for SeccompDone; any other
// message is an error. Returns the process's pid.
pid_t serve_exec_process(const SyncChannel& channel, pid_t child, const ExecTarget& t, const ExecPlan& plan) {
  const pid_t pid = std::atoi(channel.expect(SyncMsg::Pid).c_str());
  while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
  }
  while (auto msg = channel.receive_or_eof()) {
    try {
      if (msg->type == SyncMsg::Error) throw Error(msg->payload);
      if (msg->type != SyncMsg::Seccomp || !msg->fd || !plan.seccomp)
        throw Error("unexpected message from the exec'd process");
      const oci::Seccomp profile = *oci::seccomp_profile(t.spec.linux);
      send_to_seccomp_listener(profile.listener_path, msg->fd.get(),
                               container_process_state(pid, profile.listener_metadata, state_json(t.record, t.status, -1)));
      channel.send(SyncMsg::SeccompDone);
    } catch (const std::exception&) {
      // Whatever went wrong, the process must not go on to its program (with a notify filter in
      // place and nobody to answer it, it would hang).
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      throw;
    }
  }
  return pid;
}

}  // namespace

int exec_in_container(const Runtime& rt, const ExecRequest& req) {
  fill_preserved_fd_gaps(req.preserve_fds);
  const ExecTarget target = load_target(rt, req.id);
  const ExecPlan plan = plan_exec(rt, target, req);
  ExecConsole console = open_console(plan.proc, req);
  auto [ours, theirs] = SyncChannel::pair();
  if (!req.detach) ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  pid_t child = ::fork();
  if (child < 0) throw_errno("fork");
  if (child == 0) {
    ours.close();
    exec_child(target, plan, req, std::move(console.console), theirs);
  }
  theirs.close();
  console.console.reset();
  pid_t pid = 0;
  try {
    pid = serve_exec_process(ours, child, target, plan);
  } catch (...) {
    ::waitpid(child, nullptr, WNOHANG);
    throw;
  }
  if (!req.pid_file.empty()) write_file_atomic(req.pid_file, std::to_string(pid), 0644);
  if (req.detach) return 0;

  return wait_in_foreground(pid, console.relay.get());
}

}  // namespace roost
