#include "store/userns_session.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "idmap/host_advice.hpp"
#include "idmap/idmap_writer.hpp"
#include "idmap/subid.hpp"
#include "store/file_lock.hpp"
#include "store/store_paths.hpp"
#include "sys/pause_process.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/process.hpp"

namespace roost::store {
namespace {

// What keeps this kernel from giving an unprivileged user a namespace, with the command that
// changes it (the words `roost check` prints: idmap/host_advice).
std::string userns_advice(int err) {
  const idmap::UsernsBlock block = idmap::userns_block();
  if (!block.why.empty()) return block.why + ": " + block.fix.text();
  if (err == ENOSPC) return "the limit on user namespaces is reached: raise user.max_user_namespaces";
  if (err == EINVAL) return "the process has threads already (a bug in roost: the namespace is entered first)";
  return "";
}

[[noreturn]] void fail(const std::string& doing, int err) {
  const std::string advice = userns_advice(err);
  throw Error(doing + ": " + errno_name(err) + (advice.empty() ? "" : " (" + advice + ")"));
}

// "a:b:c,..." from a /proc/PID/[ug]id_map, and the number of ids it maps.
std::string summarize_map(const std::string& path, uint64_t* total) {
  std::string out;
  uint64_t sum = 0;
  for (const auto& line : split(read_file(path), '\n')) {
    unsigned long inside = 0, outside = 0, count = 0;
    if (std::sscanf(line.c_str(), "%lu %lu %lu", &inside, &outside, &count) != 3) continue;
    out += (out.empty() ? "" : ",") + std::to_string(inside) + ":" + std::to_string(outside) + ":" + std::to_string(count);
    sum += count;
  }
  if (total) *total = sum;
  return out;
}

bool initial_user_namespace() {
  unsigned long inside = 1, outside = 1, count = 0;
  try {
    std::sscanf(read_file("/proc/self/uid_map").c_str(), "%lu %lu %lu", &inside, &outside, &count);
  } catch (const Error&) {
    return true;
  }
  return inside == 0 && outside == 0 && count == 4294967295UL;
}

bool same_user_namespace_as(const char* pid_text) {
  char* end = nullptr;
  const long pid = std::strtol(pid_text, &end, 10);
  if (!*pid_text || *end || pid <= 0) return false;
  struct stat mine, theirs;
  const std::string path = "/proc/" + std::to_string(pid) + "/ns/user";
  return ::stat("/proc/self/ns/user", &mine) == 0 && ::stat(path.c_str(), &theirs) == 0 &&
         mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev;
}

std::string user_name(uid_t uid) {
  struct passwd pw, *res = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res) return res->pw_name;
  return std::to_string(uid);
}

void describe_current(UsernsSession& s) {
  uint64_t total = 0;
  s.map_summary = summarize_map("/proc/self/uid_map", &total);
  s.gid_map_summary = summarize_map("/proc/self/gid_map", nullptr);
  s.squash_ids = total == 1;
}

// A process with a helper outside: it waits for the word that we have unshared, writes our maps
// with newuidmap/newgidmap (which must run in the parent namespace), and reports back.
struct MapHelper {
  pid_t pid = -1;
  int go = -1, result = -1;
};

MapHelper start_map_helper(const idmap::IdMapPlan& plan) {
  int go[2], result[2];
  if (::pipe2(go, O_CLOEXEC) < 0) throw_errno("pipe");
  if (::pipe2(result, O_CLOEXEC) < 0) {
    ::close(go[0]);
    ::close(go[1]);
    throw_errno("pipe");
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork the id map helper");
  if (pid == 0) {
    ::close(go[1]);
    ::close(result[0]);
    char c;
    ssize_t n;
    while ((n = ::read(go[0], &c, 1)) < 0 && errno == EINTR) {
    }
    if (n != 1) ::_exit(1);  // the parent gave up
    std::string message;
    try {
      idmap::write_id_maps(parent, plan);
    } catch (const std::exception& e) {
      message = e.what();
    }
    if (!message.empty()) (void)!::write(result[1], message.data(), message.size());
    ::_exit(message.empty() ? 0 : 1);
  }
  ::close(go[0]);
  ::close(result[1]);
  return {pid, go[1], result[0]};
}

// Tells the helper to go (or, with go=false, to give up) and collects its verdict.
std::string finish_map_helper(MapHelper& h, bool go) {
  if (go) (void)!::write(h.go, "g", 1);
  ::close(h.go);
  // Given up (go=false), a helper that exits without a word is no news.
  std::string message = wait_reported(h.pid, h.result, go ? "the id map helper failed" : "");
  ::close(h.result);
  return message;
}

// The last steps of every way in: root of the namespace, a private mount namespace (mounts made
// here, rootfs stacks and probes, stay here; the host's never propagate in), the marker for what
// this process starts.
void become_root_with_private_mounts(UsernsSession& s) {
  if (::setresgid(0, 0, 0) < 0) fail("setresgid 0 in the user namespace", errno);
  if (::setresuid(0, 0, 0) < 0) fail("setresuid 0 in the user namespace", errno);
  if (::unshare(CLONE_NEWNS) < 0) fail("unshare a mount namespace", errno);
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) fail("make / private", errno);
  ::setenv("ROOST_USERNS_PID", std::to_string(::getpid()).c_str(), 1);
  s.entered = true;
  describe_current(s);
}

// A new user namespace with the caller's ids mapped; with `pause_pid_file`, a pause process is
// left in it and named there.
UsernsSession make_namespace(const std::string& pause_pid_file) {
  UsernsSession s;
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  // Ranges but no helper to map them: an error with the fix, not a quiet one-id map.
  const std::string name = user_name(uid);
  idmap::CallerSubIds ids = idmap::read_caller_subids(idmap::SubIdSource::Auto, name, uid);
  const bool have_ranges = !ids.uids.empty() && !ids.gids.empty();
  if (have_ranges && (idmap::find_helper("newuidmap").empty() || idmap::find_helper("newgidmap").empty()))
    throw Error("newuidmap and newgidmap are needed to map " + name +
                "'s /etc/subuid and /etc/subgid ranges: " + idmap::uidmap_install_fix().text());
  const idmap::IdMapPlan plan = idmap::plan_caller_id_maps(idmap::SubIdSource::Auto);
  const bool helper = plan.uid_helper || plan.gid_helper;

  MapHelper h;
  if (helper) h = start_map_helper(plan);
  // The user namespace alone first: the pause process is forked before this process takes a
  // mount namespace of its own, so it keeps no mount of this command's alive.
  if (::unshare(CLONE_NEWUSER) < 0) {
    const int err = errno;
    if (helper) finish_map_helper(h, false);
    fail("unshare a user namespace", err);
  }
  if (helper) {
    const std::string message = finish_map_helper(h, true);
    if (!message.empty()) {
      const std::string advice = userns_advice(EPERM);
      throw Error("write the user namespace's id maps: " + message + (advice.empty() ? "" : " (" + advice + ")"));
    }
  } else {
    // Our own id only, which an unprivileged process may map for itself (setgroups denied first).
    try {
      write_file("/proc/self/setgroups", "deny", O_TRUNC);
      write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1\n", O_TRUNC);
      write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1\n", O_TRUNC);
    } catch (const SysError& e) {
      fail(e.what(), e.err());
    }
  }
  if (::setresgid(0, 0, 0) < 0) fail("setresgid 0 in the user namespace", errno);
  if (::setresuid(0, 0, 0) < 0) fail("setresuid 0 in the user namespace", errno);
  if (!pause_pid_file.empty()) {
    const sys::PauseProcess pause = sys::start_pause_process();
    sys::write_pause_pid_file(pause_pid_file, pause);
    s.pause_pid = pause.pid;
  }
  become_root_with_private_mounts(s);
  return s;
}

// nullopt when the pause process died since it was checked (the caller makes a new one).
std::optional<UsernsSession> join_namespace(const sys::PauseProcess& pause) {
  UsernsSession s;
  // Through the pidfd: that very process's namespace, or ESRCH if it has died meanwhile.
  if (::setns(pause.pidfd.get(), CLONE_NEWUSER) < 0) {
    if (errno == ESRCH) return std::nullopt;
    fail("join the user namespace of the pause process " + std::to_string(pause.pid), errno);
  }
  s.joined = true;
  s.pause_pid = pause.pid;
  become_root_with_private_mounts(s);
  return s;
}

// Real root and processes already inside need nothing: the session says what they have.
std::optional<UsernsSession> nothing_to_enter() {
  UsernsSession s;
  const uid_t uid = ::geteuid();
  if (uid == 0 && initial_user_namespace()) {
    s.real_root = true;
    describe_current(s);
    s.squash_ids = false;
    return s;
  }
  const char* marker = ::getenv("ROOST_USERNS_PID");
  if ((marker && same_user_namespace_as(marker)) || (uid == 0 && !initial_user_namespace())) {
    describe_current(s);
    return s;
  }
  return std::nullopt;
}

UsernsSession enter_shared(const std::filesystem::path& run_root) {
  if (auto s = nothing_to_enter()) return *s;
  make_dirs(run_root.string(), 0700);
  const std::string pid_file = (run_root / "pause.pid").string();
  // The common case takes no lock: the pid file is replaced whole, and a live pause process is
  // checked through its pidfd.
  if (auto pause = sys::open_pause_process(pid_file))
    if (auto s = join_namespace(*pause)) return *s;
  // None lives: one command makes it, the others wait and join it.
  FileLock lock = FileLock::acquire(run_root / "pause.lock");
  if (auto pause = sys::open_pause_process(pid_file))
    if (auto s = join_namespace(*pause)) return *s;
  return make_namespace(pid_file);
}

UsernsSession enter_private() {
  if (auto s = nothing_to_enter()) return *s;
  return make_namespace("");
}

std::optional<UsernsSession>& the_session() {
  static std::optional<UsernsSession> session;
  return session;
}

}  // namespace

const UsernsSession& enter_user_namespace(const std::filesystem::path& run_root) {
  auto& session = the_session();
  if (!session) session = enter_shared(run_root);
  return *session;
}

const UsernsSession& enter_user_namespace() {
  auto& session = the_session();
  if (!session) session = enter_shared(StorePaths::for_current_user().run_root);
  return *session;
}

const UsernsSession& enter_private_user_namespace() {
  auto& session = the_session();
  if (!session) session = enter_private();
  return *session;
}

bool stop_pause_process(const std::filesystem::path& run_root) {
  const std::string pid_file = (run_root / "pause.pid").string();
  if (!path_exists(run_root.string())) return false;
  FileLock lock = FileLock::acquire(run_root / "pause.lock");
  auto pause = sys::open_pause_process(pid_file);
  if (pause && !sys::kill_pause_process(*pause, 5000))
    throw Error("the pause process " + std::to_string(pause->pid) + " did not die on SIGKILL");
  if (::unlink(pid_file.c_str()) < 0 && errno != ENOENT) throw_errno("remove " + pid_file);
  return pause.has_value();
}

}  // namespace roost::store
