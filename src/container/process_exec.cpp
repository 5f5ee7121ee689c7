#include "container/process_exec.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cctype>
#include <cstring>

#include "container/sync_channel.hpp"
#include "sys/capabilities.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/process.hpp"
#include "util/unique_fd.hpp"

namespace roost {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string env_value(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& e : env)
    if (starts_with(e, name + "=")) return e.substr(name.size() + 1);
  return "";
}

// 0 when path is a file execve can run, else the errno execve would give (EACCES for a directory
// or a file without an execute bit).
int executable_errno(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) return errno;
  return S_ISREG(st.st_mode) && (st.st_mode & 0111) ? 0 : EACCES;
}

// The kernel's words, in lower case as Go's errors print them: podman, containerd and Docker read
// "no such file or directory", "executable file not found" and "permission denied" in the
// runtime's error and turn them into exit codes 127 and 126.
std::string kernel_words(int err) {
  std::string text = std::strerror(err);
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text + " (" + errno_name(err) + ")";
}

}  // namespace

std::string find_executable(const oci::Process& proc) {
  const std::string& name = proc.args[0];
  if (name.find('/') != std::string::npos) {
    if (int err = executable_errno(name)) throw Error("exec \"" + name + "\": " + kernel_words(err));
    return name;
  }
  std::string path = env_value(proc.env, "PATH");
  if (path.empty()) path = kDefaultPath;
  for (const auto& dir : split(path, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (executable_errno(candidate) == 0) return candidate;
  }
  throw Error("exec \"" + name + "\": executable file not found in the container's PATH (" + path + ")");
}

namespace {

// Switches to the configured user keeping exactly the configured capabilities (and, with
// keep_sys_admin, CAP_SYS_ADMIN for a filter loaded without no_new_privs: see capabilities.hpp).
void become_process_user(const oci::Process& proc, bool setgroups_allowed, bool keep_sys_admin) {
  const auto& caps = proc.capabilities;
  if (caps) drop_bounding_set(*caps);
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) throw_errno("keep capabilities across setuid");
  if (setgroups_allowed) {
    const auto& g = proc.user.additional_gids;
    // A joined user namespace may deny setgroups; without additional gids there is nothing to set.
    if (::setgroups(g.size(), g.data()) < 0 && !(errno == EPERM && g.empty())) throw_errno("setgroups");
  }
  if (::setresgid(proc.user.gid, proc.user.gid, proc.user.gid) < 0)
    throw_errno("setgid " + std::to_string(proc.user.gid));
  if (::setresuid(proc.user.uid, proc.user.uid, proc.user.uid) < 0)
    throw_errno("setuid " + std::to_string(proc.user.uid));
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) throw_errno("reset keep-capabilities");
  if (caps)
    apply_process_capabilities(*caps, keep_sys_admin);
  else if (keep_sys_admin)
    raise_sys_admin();
}

// Only stdio and the preserved descriptors reach the program.
void close_other_fds(int preserve_fds) {
  for (int fd = 3; fd < 3 + preserve_fds; ++fd) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
  if (::syscall(SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    throw_errno("mark the runtime's descriptors close-on-exec (close_range)");
}

void change_directory(const std::string& cwd) {
  if (::chdir(cwd.c_str()) < 0) throw_errno("chdir to process.cwd " + cwd);
  // A cwd outside the root (a leaked descriptor, CVE-2024-21626) has no name from "/".
  char buf[4096];
  if (::getcwd(buf, sizeof buf) == nullptr || buf[0] != '/')
    throw Error("process.cwd " + cwd + " is outside the container's root");
}

}  // namespace

void become_namespace_root(const oci::User& user) {
  if (::setresgid(0, 0, 0) < 0) {
    if (errno != EINVAL || ::setresgid(user.gid, user.gid, user.gid) < 0) throw_errno("setresgid in the user namespace");
  }
  if (::setresuid(0, 0, 0) < 0) {
    if (errno != EINVAL || ::setresuid(user.uid, user.uid, user.uid) < 0) throw_errno("setresuid in the user namespace");
  }
}

void hand_over_seccomp_listener(const SeccompFilter* filter, const SyncChannel& sync) {
  if (!filter || !filter->needs_listener()) return;
  {
    UniqueFd listener(filter->load_listener());
    sync.send_fd(SyncMsg::Seccomp, listener.get());
  }
  // Nothing goes on until the agent holds the fd: a notified call before then would wait for an
  // answer nobody can give, and a failed hand-over must stop the process before its program runs.
  sync.expect(SyncMsg::SeccompDone);
}

void exec_process(const oci::Process& proc, const std::string& program, const ExecOptions& opts) {
  // A session of its own, as runc and crun give it (a terminal's comes with the pty): conmon kills
  // a timed-out container by its process group, which must not be the caller's.
  if (!proc.terminal && ::setsid() < 0) throw_errno("setsid");
  if (proc.user.umask) ::umask(*proc.user.umask);
  // The filter is the last thing before execve, with or without no_new_privs, so that nothing the
  // runtime does depends on a call the profile may deny. Without no_new_privs, loading it needs
  // CAP_SYS_ADMIN: the process keeps it until then, and execve drops it (capabilities.hpp).
  const bool filter_needs_admin = opts.seccomp && !proc.no_new_privileges;
  become_process_user(proc, opts.setgroups_allowed, filter_needs_admin);
  change_directory(proc.cwd);
  if (proc.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) throw_errno("set no_new_privs");
  close_other_fds(opts.preserve_fds);
  reset_signals();
  const std::vector<char*> argv = to_argv(proc.args), envp = to_argv(proc.env);
  if (opts.seccomp) opts.seccomp->load();
  // From here on only execve: the profile must allow it, as it must with any runtime.
  ::execve(program.c_str(), argv.data(), envp.data());
  const int err = errno;
  throw Error("exec \"" + program + "\": " + kernel_words(err));
}

}  // namespace roost
