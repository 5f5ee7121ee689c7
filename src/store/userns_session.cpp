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

#include "idmap/idmap_writer.hpp"
#include "idmap/subid.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::store {
namespace {

std::string sysctl(const char* path) {
  try {
    std::string v = read_file(path);
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    return v;
  } catch (const Error&) {
    return "";
  }
}

// What keeps this kernel from giving an unprivileged user a namespace, with the sysctl to change.
std::string userns_advice(int err) {
  if (sysctl("/proc/sys/kernel/unprivileged_userns_clone") == "0")
    return "user namespaces are disabled for unprivileged users: sysctl -w kernel.unprivileged_userns_clone=1";
  if (sysctl("/proc/sys/user/max_user_namespaces") == "0")
    return "user namespaces are disabled: sysctl -w user.max_user_namespaces=15000";
  if (sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1")
    return "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1): "
           "set it to 0, or give roost an AppArmor profile with the userns rule";
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
  std::string message;
  char buf[1024];
  ssize_t n;
  while ((n = ::read(h.result, buf, sizeof buf)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    message.append(buf, static_cast<size_t>(n));
  }
  ::close(h.result);
  int status = 0;
  while (::waitpid(h.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (go && message.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
    message = "the id map helper failed";
  return message;
}

UsernsSession enter() {
  UsernsSession s;
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
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

  // Ranges but no helper to map them: an error with the fix, not a quiet one-id map.
  const std::string name = user_name(uid);
  idmap::CallerSubIds ids = idmap::read_caller_subids(idmap::SubIdSource::Auto, name, uid);
  const bool have_ranges = !ids.uids.empty() && !ids.gids.empty();
  if (have_ranges && (idmap::find_helper("newuidmap").empty() || idmap::find_helper("newgidmap").empty()))
    throw Error("newuidmap and newgidmap are needed to map " + name +
                "'s /etc/subuid and /etc/subgid ranges: install the uidmap package: apt-get install uidmap");
  const idmap::IdMapPlan plan = idmap::plan_caller_id_maps(idmap::SubIdSource::Auto);
  const bool helper = plan.uid_helper || plan.gid_helper;

  MapHelper h;
  if (helper) h = start_map_helper(plan);
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
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
  // Mounts made here (rootfs stacks, probes) stay here; the host's never propagate in.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) fail("make / private", errno);
  ::setenv("ROOST_USERNS_PID", std::to_string(::getpid()).c_str(), 1);
  s.entered = true;
  describe_current(s);
  return s;
}

}  // namespace

const UsernsSession& enter_user_namespace() {
  static const UsernsSession session = enter();
  return session;
}

}  // namespace roost::store
