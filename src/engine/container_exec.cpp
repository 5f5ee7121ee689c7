#include "engine/container_exec.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>

#include "ctr/passwd.hpp"
#include "engine/container_context.hpp"
#include "monitor/console_receiver.hpp"
#include "monitor/ctl_client.hpp"
#include "rootfs/secure_path.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/process.hpp"
#include "util/unique_fd.hpp"

namespace roost::engine {
namespace {

// A file of the container's root as its init sees it (/proc/PID/root), read confined to it.
std::string read_container_file(int pid, const std::string& path) {
  const std::string root_path = "/proc/" + std::to_string(pid) + "/root";
  UniqueFd root(::open(root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw_errno("open the container's root (" + root_path + ")");
  UniqueFd fd = open_in_root(root.get(), path, O_RDONLY | O_CLOEXEC);
  if (!fd) {
    if (errno == ENOENT) return "";
    throw_errno("open " + path + " in the container");
  }
  return read_file(fd_path(fd.get()));
}

// -e KEY takes KEY's value from roost's environment, and is left out when it has none (podman).
std::vector<std::string> resolve_env(const std::vector<std::string>& env, const char* const* host_env) {
  std::vector<std::string> out;
  for (const std::string& e : env) {
    if (e.find('=') != std::string::npos) {
      out.push_back(e);
      continue;
    }
    for (const char* const* h = host_env; h && *h; ++h)
      if (std::strncmp(*h, e.c_str(), e.size()) == 0 && (*h)[e.size()] == '=') out.push_back(*h);
  }
  return out;
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(out.size()))) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

// The last error the runtime logged (text format: "TIME error: MESSAGE"), "" for none.
std::string last_logged_error(const std::string& log) {
  std::string found;
  for (const std::string& line : split(log, '\n')) {
    const size_t at = line.find(" error: ");
    if (at != std::string::npos) found = line.substr(at + 8);
  }
  return found;
}

}  // namespace

int exec_in_container(const ctr::ContainerStore& containers, const ExecRequest& request) {
  if (request.args.empty()) throw Error("exec requires at least 2 arguments: a container and a command");
  const std::string id = require_container(containers, request.container);
  const ctr::ContainerState state = current_state(containers, id);
  if (state.status != ctr::Status::Running)
    throw Error("can only create exec sessions on running containers: container state improper");
  const ctr::ContainerConfig config = container_config(containers, id);
  if (!config.uid_maps.empty() || !config.gid_maps.empty() || config.userns == "keep-id" || config.userns == "nomap") {
    // A nested user namespace: joined as anyone but its root, roost-runtime would lose its
    // capabilities at execve (keep-id maps the user to a plain uid). So join the namespace it was
    // made in (its parent: the store's, where roost-runtime is root) and let the runtime join
    // the container's, user namespace first, as for any exec.
    UniqueFd init_ns(::open(("/proc/" + std::to_string(state.pid) + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
    if (!init_ns) throw_errno("open the container's user namespace");
    UniqueFd parent(::ioctl(init_ns.get(), NS_GET_PARENT));
    if (!parent) throw_errno("find the namespace the container's user namespace was made in");
    if (::setns(parent.get(), CLONE_NEWUSER) != 0) throw_errno("join the store's user namespace");
  } else {
    join_user_namespace_of(state.pid);
  }

  const std::filesystem::path runtime = helper_program("roost-runtime");
  // The runtime's errors, told apart from the command's own exit status: it logs them here too.
  UniqueFd log(::memfd_create("roost-exec-log", 0));
  if (!log) throw_errno("memfd_create for the runtime's log");
  std::vector<std::string> argv = {runtime.string(), "--root", runtime_root(containers).string(),
                                   "--log", "/proc/self/fd/" + std::to_string(log.get()), "exec"};
  if (request.tty) argv.push_back("--tty");
  if (request.detach) argv.push_back("--detach");
  // A detached session's terminal: the runtime sends its master here, and the container's monitor
  // keeps it (reading what the session writes) once the runtime has returned.
  const ctr::ContainerPaths paths = containers.paths(id);
  std::optional<monitor::ConsoleReceiver> console;
  if (request.detach && request.tty) {
    console.emplace((paths.run_dir / ("exec-" + std::to_string(::getpid()) + ".sock")).string());
    argv.insert(argv.end(), {"--console-socket", console->address_for_runtime()});
  }
  if (!request.workdir.empty()) argv.insert(argv.end(), {"--cwd", request.workdir});
  for (const std::string& e : resolve_env(request.env, request.host_env)) argv.insert(argv.end(), {"--env", e});
  if (!request.user.empty()) {
    const ctr::ResolvedUser user = ctr::resolve_user(request.user, read_container_file(state.pid, "/etc/passwd"),
                                                    read_container_file(state.pid, "/etc/group"));
    argv.insert(argv.end(), {"--user", std::to_string(user.uid) + ":" + std::to_string(user.gid)});
  }
  argv.push_back(id);
  argv.insert(argv.end(), request.args.begin(), request.args.end());

  const pid_t child = ::fork();
  if (child < 0) throw_errno("fork roost-runtime exec");
  if (child == 0) {
    if (!request.interactive) {
      const int null = ::open("/dev/null", O_RDONLY);
      if (null < 0 || ::dup2(null, 0) < 0) ::_exit(125);
    }
    std::vector<char*> raw = to_argv(argv);
    ::execv(raw[0], raw.data());
    ::_exit(125);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) throw_errno("wait for roost-runtime exec");
  }
  const std::string error = last_logged_error(read_all(log.get()));
  // The runtime has said it on stderr already (roost-runtime: ...); the code tells the caller.
  if (!error.empty()) return runtime_error_exit_code(error);
  if (console && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    UniqueFd master = console->take_master();
    monitor::hand_over_console(paths.ctl_socket().string(), master.get());
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 125;
}

}  // namespace roost::engine
