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
#include "idmap/host_advice.hpp"
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
                (maps.size() == 1 && maps[0].size == 1
                     ? " (only 0 is: add an /etc/subuid and /etc/subgid range: " + idmap::subid_range_fix(owner_name()).text() + ")"
                     : ""));
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

// Phase 1, the bundle: config.json read, parsed and checked as far as it can be without a side
// effect.
struct Bundle {
  std::string dir;          // absolute
  std::string config_text;  // kept in the state dir
  oci::Spec spec;
  std::string rootfs;       // absolute
};

Bundle load_bundle(const CreateOptions& opts) {
  Bundle b;
  b.dir = absolute_path(opts.bundle, "bundle");
  try {
    b.config_text = read_file(b.dir + "/config.json");
  } catch (const SysError& e) {
    if (e.err() == ENOENT) throw Error("bundle " + b.dir + " has no config.json");
    throw;
  }
  // linux.seccomp stays text until the plan: its compiled program is usually in the cache.
  b.spec = oci::parse_spec(b.config_text, oci::SeccompParse::Deferred);
  if (!b.spec.process) throw Error("config.json: process: missing");
  const oci::Process& proc = *b.spec.process;
  const std::string& root = b.spec.root_path;
  b.rootfs = absolute_path(root[0] == '/' ? root : b.dir + "/" + root, "rootfs");
  struct stat st;
  if (::stat(b.rootfs.c_str(), &st) < 0 || !S_ISDIR(st.st_mode)) throw Error("rootfs " + b.rootfs + " is not a directory");
  if (!b.spec.has_namespace("mount"))
    throw Error("config.json: linux.namespaces needs a mount namespace: roost-runtime never mounts in the host's");
  if (proc.capabilities) validate_capabilities(*proc.capabilities);
  validate_rlimits(proc.rlimits);
  return b;
}

// Phase 2, the plan: the seccomp filter, the namespaces and the id maps. Ends by making sure the
// runtime binary is out of the container's reach, which may re-execute the runtime: nothing
// before it has a side effect (CVE-2019-5736).
struct CreatePlan {
  std::optional<SeccompFilter> seccomp;
  NamespacePlan ns;
  idmap::IdMapPlan id_plan;
};

CreatePlan plan_container(const Runtime& rt, const oci::Spec& spec) {
  CreatePlan plan;
  plan.seccomp = compile_seccomp_cached(spec.linux, rt.store.seccomp_cache_dir());
  if (plan.seccomp)
    for (const auto& name : plan.seccomp->unknown_syscalls()) log::debug("seccomp: syscall " + name + " unknown here, skipped");
  plan.ns = plan_namespaces(spec);
  const bool privileged = ::geteuid() == 0;
  if (!privileged && !plan.ns.in_user_namespace())
    throw Error("an unprivileged user needs a user namespace: add {\"type\": \"user\"} to linux.namespaces "
                "(roost-runtime spec --rootless does)");
  ContainerIds ids;
  if (plan.ns.new_user()) {
    plan.id_plan = idmap::plan_id_maps(spec, privileged);
    check_process_ids(*spec.process, plan.id_plan);
    ids.uid = plan.id_plan.uid;
    ids.gid = plan.id_plan.gid;
  } else {
    // The host's ids, or a joined user namespace whose maps are not known here: the worst case.
    ids.all = true;
  }
  protect_runtime_binary(ids);
  return plan;
}

// The pty's way out: run's own socket, --console-socket, or none without process.terminal.
UniqueFd open_console(const oci::Process& proc, const CreateOptions& opts) {
  if (!proc.terminal) {
    if (!opts.console_socket.empty()) log::debug("--console-socket ignored: process.terminal is false");
    return UniqueFd();
  }
  if (opts.console_fd >= 0) return UniqueFd(::fcntl(opts.console_fd, F_DUPFD_CLOEXEC, 3));
  if (opts.console_socket.empty())
    throw Error("process.terminal is true: give --console-socket (or set terminal to false)");
  return connect_console_socket(opts.console_socket);
}

// Phase 3, the state dir's files: the config (for start, delete and exec) and the exec fifo,
// returned opened read-write, so the open does not block and the init's read blocks until start
// writes.
UniqueFd write_config_and_fifo(const ContainerDir& dir, const std::string& config_text) {
  write_file(dir.config_path(), config_text, O_CREAT | O_TRUNC, 0600);
  if (::mkfifo(dir.fifo_path().c_str(), 0600) < 0) throw_errno("mkfifo " + dir.fifo_path());
  UniqueFd fifo(::open(dir.fifo_path().c_str(), O_RDWR | O_CLOEXEC));
  if (!fifo) throw_errno("open " + dir.fifo_path());
  return fifo;
}

UniqueFd open_cgroup(const std::string& cgroup) {
  UniqueFd fd;
  if (cgroup.empty()) return fd;
  fd.reset(::open(cgroup.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw_errno("open cgroup " + cgroup);
  return fd;
}

// What the init is told; the descriptors are set by the caller.
InitConfig init_config(const Bundle& b, const CreatePlan& plan, const CreateOptions& opts) {
  InitConfig cfg;
  cfg.spec = &b.spec;
  cfg.namespaces = &plan.ns;
  cfg.seccomp = plan.seccomp ? &*plan.seccomp : nullptr;
  cfg.rootfs.spec = &b.spec;
  cfg.rootfs.bundle = b.dir;
  cfg.rootfs.rootfs = b.rootfs;
  // mknod needs real root; in any user namespace (ours, or one the caller runs in) bind instead.
  cfg.rootfs.bind_devices = plan.ns.in_user_namespace() || running_rootless();
  cfg.rootfs.new_netns = plan.ns.new_flags & CLONE_NEWNET;
  cfg.rootfs.new_cgroupns = plan.ns.new_flags & CLONE_NEWCGROUP;
  cfg.rootfs.cgroup_mode = detect_cgroup_mode();
  cfg.rootfs.no_pivot = opts.no_pivot;
  cfg.preserve_fds = opts.preserve_fds;
  cfg.intermediate = !plan.ns.joins.empty();
  cfg.setgroups_allowed = !plan.id_plan.deny_setgroups;
  cfg.new_session_keyring = !opts.no_new_keyring;
  return cfg;
}

// The processes create started: `child` is the one it waits for (the init, or the intermediate
// until it reports the init's pid), `init` the container's pid 1 as the host sees it.
struct StartedInit {
  pid_t child = -1;
  pid_t init = -1;
};

StateRecord new_record(const CreateOptions& opts, const Bundle& b, const std::string& cgroup) {
  StateRecord record;
  record.id = opts.id;
  record.bundle = b.dir;
  record.rootfs = b.rootfs;
  record.created = now_rfc3339();
  record.owner = owner_name();
  record.annotations = b.spec.annotations;
  record.cgroup = cgroup;
  return record;
}

// Phase 4, serving the init: one handler per message it sends, until Ready.
class InitServer {
 public:
  InitServer(const SyncChannel& channel, const oci::Spec& spec, const CreatePlan& plan, const ContainerDir& dir,
             StateRecord& record, StartedInit& started)
      : channel_(channel), spec_(spec), plan_(plan), dir_(dir), record_(record), started_(started) {}

  void serve() {
    for (;;) {
      auto [type, payload, passed_fd] = channel_.receive();
      switch (type) {
        case SyncMsg::Ready: return;
        case SyncMsg::MapIds: map_ids(); break;
        case SyncMsg::Pid: init_pid_is(payload); break;
        case SyncMsg::Hooks: run_runtime_hooks(); break;
        case SyncMsg::Seccomp: hand_over_seccomp_fd(passed_fd); break;
        case SyncMsg::Error: throw Error(payload);
        default: throw Error(std::string("unexpected message '") + static_cast<char>(type) + "' from the container");
      }
    }
  }

 private:
  void map_ids() {
    idmap::write_id_maps(started_.child, plan_.id_plan);
    channel_.send(SyncMsg::MapsDone);
  }

  // The intermediate forked the init into the pid namespace and exits.
  void init_pid_is(const std::string& payload) {
    started_.init = std::atoi(payload.c_str());
    while (::waitpid(started_.child, nullptr, 0) < 0 && errno == EINTR) {
    }
    started_.child = -1;
  }

  void run_runtime_hooks() {
    record_.pid = started_.init;
    record_.pid_start_time = process_start_time(started_.init);
    dir_.write(record_);
    std::string state = state_json(record_, Status::Creating, -1);
    run_hooks(spec_.hooks.prestart, "prestart", state);
    run_hooks(spec_.hooks.create_runtime, "createRuntime", state);
    // Compact JSON has no newline: the init gets the state for createContainer, then for
    // startContainer (running), on two lines.
    channel_.send(SyncMsg::HooksDone, state + "\n" + state_json(record_, Status::Running, -1));
  }

  void hand_over_seccomp_fd(const UniqueFd& passed_fd) {
    if (!passed_fd || !plan_.seccomp) throw Error("the container's init sent no seccomp notify fd");
    record_.pid = started_.init;
    const oci::Seccomp profile = *oci::seccomp_profile(spec_.linux);  // a filter was made: there is one
    send_to_seccomp_listener(profile.listener_path, passed_fd.get(),
                             container_process_state(started_.init, profile.listener_metadata,
                                                     state_json(record_, Status::Creating, -1)));
    channel_.send(SyncMsg::SeccompDone);
  }

  const SyncChannel& channel_;
  const oci::Spec& spec_;
  const CreatePlan& plan_;
  const ContainerDir& dir_;
  StateRecord& record_;
  StartedInit& started_;
};

// Clones the init (or the intermediate) into `cgroup` and serves it until it is ready; returns its
// state record.
StateRecord start_and_serve_init(const Bundle& b, const CreatePlan& plan, const CreateOptions& opts,
                                 const ContainerDir& dir, const std::string& cgroup, UniqueFd console,
                                 StartedInit& started) {
  UniqueFd cgroup_fd = open_cgroup(cgroup);
  UniqueFd fifo = write_config_and_fifo(dir, b.config_text);
  auto [ours, theirs] = SyncChannel::pair();
  InitConfig cfg = init_config(b, plan, opts);
  cfg.sync = &theirs;
  cfg.fifo_fd = fifo.get();
  cfg.console_fd = console.get();

  // Before the clone: the init's first request (its id maps) must not wait for the time zone and
  // the passwd lookup these do.
  StateRecord record = new_record(opts, b, cgroup);
  // Without namespaces to join, one clone() creates them all and the child is the init.
  started.child = spawn_init(cfg.intermediate ? 0 : plan.ns.new_flags, cgroup_fd.get());
  if (started.child < 0) throw_errno("clone the container's init");
  if (started.child == 0) {
    ::close(dir.lock_fd());
    ours.close();
    container_init(cfg);
  }
  started.init = started.child;
  theirs.close();
  fifo.reset();
  console.reset();
  cgroup_fd.reset();

  InitServer(ours, b.spec, plan, dir, record, started).serve();
  return record;
}

// A failed create leaves nothing: no process, no cgroup, no state dir.
void undo_create(const StartedInit& started, const std::string& cgroup, ContainerDir& dir) {
  kill_started(started.child, started.init);
  if (!cgroup.empty()) {
    try {
      remove_cgroup(cgroup);
    } catch (const Error& e) {
      log::warn(e.what());
    }
  }
  dir.remove();
}

}  // namespace

pid_t create_container(const Runtime& rt, const CreateOptions& opts) {
  fill_preserved_fd_gaps(opts.preserve_fds);
  validate_container_id(opts.id);
  const Bundle bundle = load_bundle(opts);
  const CreatePlan plan = plan_container(rt, bundle.spec);
  UniqueFd console = open_console(*bundle.spec.process, opts);

  ContainerDir dir = ContainerDir::create(rt.store, opts.id);
  StartedInit started;
  std::string cgroup;
  try {
    const oci::Linux& linux_cfg = bundle.spec.linux;
    cgroup = create_container_cgroup({linux_cfg.cgroups_path, opts.id, rt.systemd_cgroup, linux_cfg.resources});
    StateRecord record = start_and_serve_init(bundle, plan, opts, dir, cgroup, std::move(console), started);
    record.pid = started.init;
    record.pid_start_time = process_start_time(started.init);
    record.ready = true;
    dir.write(record);
    if (!opts.pid_file.empty()) write_file_atomic(opts.pid_file, std::to_string(started.init), 0644);
    return started.init;
  } catch (...) {
    undo_create(started, cgroup, dir);
    throw;
  }
}

}  // namespace roost
