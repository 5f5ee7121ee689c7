// start, state, kill, delete, run and list: each locks the container's state directory (except the
// read-only state and list) and derives the status from the live system.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "container/foreground.hpp"
#include "container/hooks.hpp"
#include "container/lifecycle.hpp"
#include "container/status.hpp"
#include "sys/cgroup_manager.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/process.hpp"
#include "util/unique_fd.hpp"

namespace roost {
namespace {

oci::Hooks stored_hooks(const ContainerDir& dir) {
  if (!path_exists(dir.config_path())) return {};
  const std::string text = read_file(dir.config_path());
  // start and delete need only the hooks, and most configs have none: a key "hooks" must appear
  // as that literal unless written with \u escapes, so without either there is nothing to parse
  // (the config was validated whole at create).
  if (text.find("\"hooks\"") == std::string::npos && text.find("\\u") == std::string::npos) return {};
  return oci::parse_spec(text, oci::SeccompParse::Deferred).hooks;
}

// Hooks after the container started or stopped may not undo the lifecycle: runtime-spec says a
// failure is a warning.
void run_hooks_warning_only(const std::vector<oci::Hook>& hooks, const std::string& phase, const std::string& state) {
  try {
    run_hooks(hooks, phase, state);
  } catch (const Error& e) {
    log::warn(e.what());
  }
}

std::string ns_inode(pid_t pid) {
  char buf[64];
  ssize_t n = ::readlink(("/proc/" + std::to_string(pid) + "/ns/pid").c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// Signals the init through a pidfd checked against the recorded start time, so a reused pid can
// never receive it.
void signal_init(const StateRecord& r, int sig) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, r.pid, 0)));
  if (!pidfd || process_start_time(r.pid) != r.pid_start_time) throw Error("container \"" + r.id + "\" is not running");
  if (::syscall(SYS_pidfd_send_signal, pidfd.get(), sig, nullptr, 0) < 0) throw_errno("signal container " + r.id);
}

// The processes of a container: those in its cgroup when it has one; else, with a pid namespace
// of its own, every process in it (found by /proc/PID/ns/pid); else only the init can be named.
std::vector<pid_t> container_pids(const StateRecord& r) {
  if (!r.cgroup.empty()) {
    try {
      auto pids = cgroup_pids(r.cgroup);
      std::sort(pids.begin(), pids.end());
      return pids;
    } catch (const Error&) {
      // Gone meanwhile: fall back to the namespace scan.
    }
  }
  const std::string target = ns_inode(r.pid);
  if (target.empty() || target == ns_inode(::getpid())) return {r.pid};
  std::vector<pid_t> pids;
  DIR* proc = ::opendir("/proc");
  if (!proc) throw_errno("open /proc");
  while (struct dirent* ent = ::readdir(proc)) {
    pid_t pid = std::atoi(ent->d_name);
    if (pid > 0 && ns_inode(pid) == target) pids.push_back(pid);
  }
  ::closedir(proc);
  std::sort(pids.begin(), pids.end());
  return pids;
}

void signal_all(const StateRecord& r, int sig) {
  // Killing a pid namespace's init kills everything in it; the init alone is signalled safely
  // through its pidfd.
  signal_init(r, sig);
  if (sig == SIGKILL) return;
  for (pid_t pid : container_pids(r))
    if (pid != r.pid) ::kill(pid, sig);
}

void stop_and_wait(const StateRecord& r) {
  try {
    signal_all(r, SIGKILL);
  } catch (const Error&) {
    return;  // already gone
  }
  if (!wait_for_exit(r.pid, 10000)) throw Error("container \"" + r.id + "\" did not stop after SIGKILL");
}

}  // namespace

void start_container(const Runtime& rt, const std::string& id) {
  ContainerDir dir = ContainerDir::open(rt.store, id);
  StateRecord record = dir.read();
  Status status = container_status(record, dir.path());
  if (status != Status::Created)
    throw Error("cannot start container \"" + id + "\": it is " + status_name(status) + ", not created");
  // The reader is opened first and never reads: it only waits for the init's end of the fifo to
  // close, which happens at execve (close-on-exec) or if the init dies. Then the program is
  // running and poststart hooks may run, as runtime-spec orders them.
  UniqueFd watch(::open(dir.fifo_path().c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  UniqueFd fifo(::open(dir.fifo_path().c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!watch || !fifo) throw_errno("open the exec fifo of " + id);
  // Unlinked first: from here on the status reads "running".
  ::unlink(dir.fifo_path().c_str());
  if (::write(fifo.get(), "0", 1) != 1) throw_errno("start container " + id);
  fifo.reset();
  // Edge-triggered: the byte makes the fifo readable until the init takes it, so a level-triggered
  // poll would spin; epoll reports only the changes, the last being the hang-up at execve.
  UniqueFd ep(::epoll_create1(EPOLL_CLOEXEC));
  struct epoll_event ev = {};
  ev.events = EPOLLIN | EPOLLET;
  if (!ep || ::epoll_ctl(ep.get(), EPOLL_CTL_ADD, watch.get(), &ev) < 0) throw_errno("watch the exec fifo of " + id);
  for (;;) {
    struct epoll_event got = {};
    int n = ::epoll_wait(ep.get(), &got, 1, -1);
    if (n < 0 && errno != EINTR) throw_errno("wait for container " + id + " to start");
    if (n > 0 && (got.events & (EPOLLHUP | EPOLLERR))) break;
  }
  auto hooks = stored_hooks(dir);
  if (!hooks.poststart.empty()) run_hooks_warning_only(hooks.poststart, "poststart", state_json(record, Status::Running, -1));
}

namespace {

// The record and status of an existing container, read without the lock (for state and ps).
std::pair<StateRecord, Status> read_unlocked(const Runtime& rt, const std::string& id) {
  validate_container_id(id);
  const std::string dir = rt.store.container_dir(id);
  if (!path_exists(dir + "/state.json")) throw Error("container \"" + id + "\" does not exist");
  StateRecord record = read_state_record(dir);
  Status status = container_status(record, dir);
  return {std::move(record), status};
}

}  // namespace

std::string container_state_json(const Runtime& rt, const std::string& id) {
  auto [record, status] = read_unlocked(rt, id);
  return state_json(record, status);
}

void kill_container(const Runtime& rt, const std::string& id, int sig, bool all) {
  ContainerDir dir = ContainerDir::open(rt.store, id);
  StateRecord record = dir.read();
  if (container_status(record, dir.path()) == Status::Stopped) throw Error("container \"" + id + "\" is not running");
  if (all)
    signal_all(record, sig);
  else
    signal_init(record, sig);
}

void delete_container(const Runtime& rt, const std::string& id, bool force) {
  validate_container_id(id);
  if (force && !path_exists(rt.store.container_dir(id) + "/state.json")) return;  // as runc: nothing to do
  ContainerDir dir = ContainerDir::open(rt.store, id);
  StateRecord record = dir.read();
  Status status = container_status(record, dir.path());
  if ((status == Status::Running || status == Status::Paused) && !force)
    throw Error("cannot delete container \"" + id + "\": it is " + status_name(status) +
                " (stop it first, or use --force)");
  if (status != Status::Stopped) stop_and_wait(record);
  auto hooks = stored_hooks(dir);
  if (!record.cgroup.empty()) {
    try {
      remove_cgroup(record.cgroup);
    } catch (const Error& e) {
      log::warn(e.what());
    }
  }
  dir.remove();
  if (!hooks.poststop.empty()) run_hooks_warning_only(hooks.poststop, "poststop", state_json(record, Status::Stopped, -1));
}

namespace {

// Blocks until the caller's byte arrives (see run_container); false unless it is '1'.
bool start_gate_opened(int fd) {
  char byte = 0;
  ssize_t n;
  while ((n = ::read(fd, &byte, 1)) < 0 && errno == EINTR) {
  }
  ::close(fd);
  return n == 1 && byte == '1';
}

}  // namespace

int run_container(const Runtime& rt, const CreateOptions& given, bool detach, int start_gate_fd) {
  // The gate stays inheritable: the runtime may re-execute itself during the create (exe_guard),
  // and the container's program never gets it (every fd beyond stdio and the preserved ones is
  // closed at its execve), unless it is one of the preserved ones.
  if (start_gate_fd >= 0 && start_gate_fd <= 2 + given.preserve_fds)
    throw Error("--start-gate " + std::to_string(start_gate_fd) + " is one of the container's own fds (stdio, " +
                "--preserve-fds): give one above them");
  // The init may be a grandchild (namespaces joined by path): be its reaper so we can wait for it.
  if (!detach) ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  CreateOptions opts = given;
  UniqueFd console_receiver, console_sender;
  if (opts.console_socket.empty() && !detach) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) throw_errno("socketpair");
    console_receiver.reset(pair[0]);
    console_sender.reset(pair[1]);
    opts.console_fd = console_sender.get();
  }
  pid_t pid = create_container(rt, opts);
  console_sender.reset();
  try {
    if (start_gate_fd >= 0 && !start_gate_opened(start_gate_fd))
      throw Error("container \"" + opts.id + "\" was not started: the caller closed its start gate");
    start_container(rt, opts.id);
  } catch (...) {
    try {
      delete_container(rt, opts.id, true);
    } catch (const Error&) {
    }
    throw;
  }
  if (detach) return 0;

  int code = wait_in_foreground(pid, console_receiver.get());
  delete_container(rt, opts.id, true);
  return code;
}

namespace {

// The record of a container that has a cgroup of its own, for pause, resume and update.
StateRecord cgroup_owner(const ContainerDir& dir, const char* command) {
  StateRecord record = dir.read();
  if (container_status(record, dir.path()) == Status::Stopped)
    throw Error(std::string(command) + ": container \"" + record.id + "\" is not running");
  if (record.cgroup.empty())
    throw Error(std::string(command) + ": container \"" + record.id +
                "\" has no cgroup of its own (it runs in the caller's: the caller may not create cgroup v2 "
                "groups; run `roost-runtime --debug create` to see why)");
  return record;
}

}  // namespace

void pause_container(const Runtime& rt, const std::string& id) {
  ContainerDir dir = ContainerDir::open(rt.store, id);
  set_cgroup_frozen(cgroup_owner(dir, "pause").cgroup, true);
}

void resume_container(const Runtime& rt, const std::string& id) {
  ContainerDir dir = ContainerDir::open(rt.store, id);
  StateRecord record = cgroup_owner(dir, "resume");
  if (!cgroup_frozen(record.cgroup)) throw Error("resume: container \"" + id + "\" is not paused");
  set_cgroup_frozen(record.cgroup, false);
}

void update_container(const Runtime& rt, const std::string& id, const std::string& resources_file) {
  ContainerDir dir = ContainerDir::open(rt.store, id);
  const std::string cgroup = cgroup_owner(dir, "update").cgroup;
  const bool from_stdin = resources_file == "-";
  const std::string text = read_file(from_stdin ? "/proc/self/fd/0" : resources_file);
  apply_cgroup_resources(cgroup, oci::parse_resources_text(text, from_stdin ? "resources (stdin)" : resources_file));
}

std::string container_processes(const Runtime& rt, const std::string& id, const std::string& format) {
  auto [record, status] = read_unlocked(rt, id);
  if (status == Status::Stopped) throw Error("container \"" + id + "\" is not running");
  auto pids = container_pids(record);
  if (format == "json") {
    nlohmann::json arr = pids;
    return arr.dump() + "\n";
  }
  if (format != "table") throw Error("unknown ps format \"" + format + "\" (table or json)");
  std::string out = "PID      CMD\n";
  for (pid_t pid : pids) {
    std::string cmd;
    try {
      cmd = read_file("/proc/" + std::to_string(pid) + "/cmdline");
    } catch (const Error&) {
      continue;  // exited meanwhile
    }
    for (auto& c : cmd)
      if (c == '\0') c = ' ';
    while (!cmd.empty() && cmd.back() == ' ') cmd.pop_back();
    char line[64];
    std::snprintf(line, sizeof line, "%-8d ", pid);
    out += line + cmd + "\n";
  }
  return out;
}

std::string list_containers(const Runtime& rt, const std::string& format, bool quiet) {
  std::string out;
  if (format == "json") {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& id : rt.store.list_ids()) {
      const std::string dir = rt.store.container_dir(id);
      try {
        StateRecord r = read_state_record(dir);
        arr.push_back(nlohmann::ordered_json::parse(state_json(r, container_status(r, dir), -1)));
      } catch (const Error&) {
        // Deleted while listing.
      }
    }
    return arr.dump() + "\n";
  }
  if (format != "table") throw Error("unknown list format \"" + format + "\" (table or json)");
  if (!quiet) {
    char line[512];
    std::snprintf(line, sizeof line, "%-12s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
    out += line;
  }
  for (const auto& id : rt.store.list_ids()) {
    if (quiet) {
      out += id + "\n";
      continue;
    }
    const std::string dir = rt.store.container_dir(id);
    try {
      StateRecord r = read_state_record(dir);
      Status s = container_status(r, dir);
      char line[4096];
      std::snprintf(line, sizeof line, "%-12s %-8d %-10s %-40s %-31s %s\n", id.c_str(), s == Status::Stopped ? 0 : r.pid,
                    status_name(s), r.bundle.c_str(), r.created.c_str(), r.owner.c_str());
      out += line;
    } catch (const Error&) {
    }
  }
  return out;
}

}  // namespace roost
