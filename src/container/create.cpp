// The runtime side of create: validate everything that can be validated, start the init, answer
// its requests (id maps, hooks), record the state.
#include <fcntl.h>
#include <linux/sched.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "container/exe_guard.hpp"
#include "container/hooks.hpp"
#include "container/init.hpp"
#include "container/lifecycle.hpp"
#include "container/seccomp_listener.hpp"
#include "container/status.hpp"
#include "container/sync_channel.hpp"
#include "idmap/idmap_writer.hpp"
#include "sys/capabilities.hpp"
#include "sys/cgroup_manager.hpp"
#include "sys/cgroups.hpp"
#include "sys/rlimits.hpp"
#include "sys/seccomp.hpp"
#include "sys/seccomp_cache.hpp"
#include "sys/terminal.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/process.hpp"

namespace roost {
namespace {

std::string absolute_path(const std::string& path, const std::string& what) {
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) {
    if (errno == ENOENT) throw Error(what + " " + path + " does not exist");
    throw_errno(what + " " + path);
  }
  return buf;
}

std::string owner_name() {
  struct passwd pw, *res = nullptr;
  char buf[4096];
  if (::getpwuid_r(::geteuid(), &pw, buf, sizeof buf, &res) == 0 && res) return res->pw_name;
  return std::to_string(::geteuid());
}

void check_mapped(const idmap::Mappings& maps, uint32_t id, const std::string& what) {
  uint32_t host;
  if (!idmap::to_host(maps, id, host))
    throw Error(what + " " + std::to_string(id) + " is not mapped in the container's user namespace" +
                (maps.size() == 1 && maps[0].size == 1 ? " (only 0 is: add an /etc/subuid and /etc/subgid range)" : ""));
}

void check_process_ids(const oci::Process& proc, const idmap::IdMapPlan& plan) {
  check_mapped(plan.uid, proc.user.uid, "process.user.uid");
  check_mapped(plan.gid, proc.user.gid, "process.user.gid");
  for (gid_t g : proc.user.additional_gids) check_mapped(plan.gid, g, "process.user.additionalGids");
  if (plan.deny_setgroups && !proc.user.additional_gids.empty())
    throw Error("process.user.additionalGids needs setgroups, which a one-id user namespace denies");
}

// Kills and reaps what create started, so that a failed create leaves no process behind.
void kill_started(pid_t child, pid_t init_pid) {
  if (init_pid > 0) ::kill(init_pid, SIGKILL);
  if (child > 0) {
    ::kill(child, SIGKILL);
    while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  if (init_pid > 0 && init_pid != child) {
    // A grandchild is reaped by whoever is its reaper; wait until it is gone at least.
    wait_for_exit(init_pid, 5000);
  }
}

// Starts the init (or, with namespaces to join, the intermediate process) with `flags` creating
// namespaces. With a cgroup, clone3's CLONE_INTO_CGROUP makes the child born in it: no process of
// the container ever runs outside its cgroup, and a new cgroup namespace is rooted there.
pid_t spawn_init(unsigned long flags, int cgroup_fd) {
  if (cgroup_fd < 0) {
    return flags == 0 ? ::fork()
                      : static_cast<pid_t>(::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
  }
  struct clone_args args = {};
  args.flags = flags | CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = static_cast<uint64_t>(cgroup_fd);
  return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
}

}  // namespace

pid_t create_container(const Runtime& rt, const CreateOptions& opts) {
  fill_preserved_fd_gaps(opts.preserve_fds);
  validate_container_id(opts.id);
  const std::string bundle = absolute_path(opts.bundle, "bundle");
  std::string config_text;
  try {
    config_text = read_file(bundle + "/config.json");
  } catch (const SysError& e) {
    if (e.err() == ENOENT) throw Error("bundle " + bundle + " has no config.json");
    throw;
  }
  const oci::Spec spec = oci::parse_spec(config_text);
  if (!spec.process) throw Error("config.json: process: missing");
  const oci::Process& proc = *spec.process;
  const std::string rootfs =
      absolute_path(spec.root_path[0] == '/' ? spec.root_path : bundle + "/" + spec.root_path, "rootfs");
  struct stat st;
  if (::stat(rootfs.c_str(), &st) < 0 || !S_ISDIR(st.st_mode)) throw Error("rootfs " + rootfs + " is not a directory");
  if (!spec.has_namespace("mount"))
    throw Error("config.json: linux.namespaces needs a mount namespace: roost-runtime never mounts in the host's");
  if (proc.capabilities) validate_capabilities(*proc.capabilities);
  validate_rlimits(proc.rlimits);

  std::optional<SeccompFilter> seccomp;
  if (spec.linux.seccomp) {
    seccomp = compile_seccomp_cached(*spec.linux.seccomp, rt.store.seccomp_cache_dir());
    for (const auto& name : seccomp->unknown_syscalls()) log::debug("seccomp: syscall " + name + " unknown here, skipped");
  }
  NamespacePlan ns = plan_namespaces(spec);
  const bool privileged = ::geteuid() == 0;
  if (!privileged && !ns.in_user_namespace())
    throw Error("an unprivileged user needs a user namespace: add {\"type\": \"user\"} to linux.namespaces "
                "(roost-runtime spec --rootless does)");
  idmap::IdMapPlan id_plan;
  if (ns.new_user()) {
    id_plan = idmap::plan_id_maps(spec, privileged);
    check_process_ids(proc, id_plan);
  }
  {
    // Before anything with a side effect: this may re-execute the runtime (CVE-2019-5736).
    ContainerIds ids;
    if (ns.new_user()) {
      ids.uid = id_plan.uid;
      ids.gid = id_plan.gid;
    } else {
      // The host's ids, or a joined user namespace whose maps are not known here: the worst case.
      ids.all = true;
    }
    protect_runtime_binary(ids);
  }

  UniqueFd console;
  if (proc.terminal) {
    if (opts.console_fd >= 0)
      console = UniqueFd(::fcntl(opts.console_fd, F_DUPFD_CLOEXEC, 3));
    else if (opts.console_socket.empty())
      throw Error("process.terminal is true: give --console-socket (or set terminal to false)");
    else
      console = connect_console_socket(opts.console_socket);
  } else if (!opts.console_socket.empty()) {
    log::debug("--console-socket ignored: process.terminal is false");
  }

  ContainerDir dir = ContainerDir::create(rt.store, opts.id);
  pid_t child = -1, init_pid = -1;
  std::string cgroup;
  try {
    cgroup = create_container_cgroup({spec.linux.cgroups_path, opts.id, rt.systemd_cgroup, spec.linux.resources});
    UniqueFd cgroup_fd;
    if (!cgroup.empty()) {
      cgroup_fd.reset(::open(cgroup.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!cgroup_fd) throw_errno("open cgroup " + cgroup);
    }
    const auto& hooks = spec.hooks;
    // Kept for start and delete (poststart, poststop hooks) and exec (the process defaults).
    write_file(dir.config_path(), config_text, O_CREAT | O_TRUNC, 0600);
    if (::mkfifo(dir.fifo_path().c_str(), 0600) < 0) throw_errno("mkfifo " + dir.fifo_path());
    // Read-write, so the open does not block and the init's read blocks until start writes.
    UniqueFd fifo(::open(dir.fifo_path().c_str(), O_RDWR | O_CLOEXEC));
    if (!fifo) throw_errno("open " + dir.fifo_path());
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) throw_errno("socketpair");
    UniqueFd ours(pair[0]), theirs(pair[1]);

    InitConfig cfg;
    cfg.spec = &spec;
    cfg.namespaces = &ns;
    cfg.seccomp = seccomp ? &*seccomp : nullptr;
    cfg.rootfs.spec = &spec;
    cfg.rootfs.bundle = bundle;
    cfg.rootfs.rootfs = rootfs;
    // mknod needs real root; in any user namespace (ours, or one the caller runs in) bind instead.
    cfg.rootfs.bind_devices = ns.in_user_namespace() || running_rootless();
    cfg.rootfs.new_netns = ns.new_flags & CLONE_NEWNET;
    cfg.rootfs.new_cgroupns = ns.new_flags & CLONE_NEWCGROUP;
    cfg.rootfs.cgroup_mode = detect_cgroup_mode();
    cfg.rootfs.no_pivot = opts.no_pivot;
    cfg.sync_fd = theirs.get();
    cfg.fifo_fd = fifo.get();
    cfg.console_fd = console.get();
    cfg.preserve_fds = opts.preserve_fds;
    cfg.intermediate = !ns.joins.empty();
    cfg.setgroups_allowed = !id_plan.deny_setgroups;
    cfg.new_session_keyring = !opts.no_new_keyring;

    // Before the clone: the init's first request (its id maps) must not wait for the time zone and
    // the passwd lookup these do.
    StateRecord record;
    record.id = opts.id;
    record.bundle = bundle;
    record.rootfs = rootfs;
    record.created = now_rfc3339();
    record.owner = owner_name();
    record.annotations = spec.annotations;
    record.cgroup = cgroup;
    // Without namespaces to join, one clone() creates them all and the child is the init.
    child = spawn_init(cfg.intermediate ? 0 : ns.new_flags, cgroup_fd.get());
    if (child < 0) throw_errno("clone the container's init");
    if (child == 0) {
      ::close(dir.lock_fd());
      ours.reset();
      container_init(cfg);
    }
    init_pid = child;
    theirs.reset();
    fifo.reset();
    console.reset();
    cgroup_fd.reset();

    for (;;) {
      auto [type, payload, passed_fd] = sync_receive(ours.get());
      if (type == SyncMsg::Ready) break;
      switch (type) {
        case SyncMsg::MapIds:
          idmap::write_id_maps(child, id_plan);
          sync_send(ours.get(), SyncMsg::MapsDone);
          break;
        case SyncMsg::Pid:
          init_pid = std::atoi(payload.c_str());
          while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
          }
          child = -1;
          break;
        case SyncMsg::Hooks: {
          record.pid = init_pid;
          record.pid_start_time = process_start_time(init_pid);
          dir.write(record);
          std::string state = state_json(record, Status::Creating, -1);
          run_hooks(hooks.prestart, "prestart", state);
          run_hooks(hooks.create_runtime, "createRuntime", state);
          // Compact JSON has no newline: the init gets the state for createContainer, then for
          // startContainer (running), on two lines.
          sync_send(ours.get(), SyncMsg::HooksDone, state + "\n" + state_json(record, Status::Running, -1));
          break;
        }
        case SyncMsg::Seccomp: {
          if (!passed_fd || !seccomp) throw Error("the container's init sent no seccomp notify fd");
          record.pid = init_pid;
          const auto& profile = *spec.linux.seccomp;
          send_to_seccomp_listener(profile.listener_path, passed_fd.get(),
                                   container_process_state(init_pid, profile.listener_metadata,
                                                           state_json(record, Status::Creating, -1)));
          sync_send(ours.get(), SyncMsg::SeccompDone);
          break;
        }
        case SyncMsg::Error:
          throw Error(payload);
        default:
          throw Error(std::string("unexpected message '") + static_cast<char>(type) + "' from the container");
      }
    }
    record.pid = init_pid;
    record.pid_start_time = process_start_time(init_pid);
    record.ready = true;
    dir.write(record);
    if (!opts.pid_file.empty()) write_file_atomic(opts.pid_file, std::to_string(init_pid), 0644);
    return init_pid;
  } catch (...) {
    kill_started(child, init_pid);
    if (!cgroup.empty()) {
      try {
        remove_cgroup(cgroup);
      } catch (const Error& e) {
        log::warn(e.what());
      }
    }
    dir.remove();
    throw;
  }
}

}  // namespace roost
