#include "ns/command.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

extern char** environ;

namespace roost::ns {

std::vector<std::string> command_environment(char** env, bool fix_listen_pid, pid_t pid) {
  std::vector<std::string> out;
  const std::string marker = std::string(kChildMarker) + "=";
  for (char** e = env; e && *e; ++e) {
    std::string var = *e;
    if (starts_with(var, marker)) continue;
    if (fix_listen_pid && starts_with(var, "LISTEN_PID=")) continue;
    out.push_back(std::move(var));
  }
  if (fix_listen_pid) out.push_back("LISTEN_PID=" + std::to_string(pid));
  return out;
}

int exit_code_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

pid_t start_command(const CommandSpec& spec) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) throw_errno("pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork the command");
  if (pid == 0) {
    // The child is single-threaded, so building the argv and environment here is safe.
    if (spec.new_session) ::setsid();
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<std::string> env = command_environment(environ, spec.fix_listen_pid, ::getpid());
    std::vector<char*> envp, argv;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvpe(argv[0], argv.data(), envp.data());
    int err = errno;
    (void)!::write(write_end.get(), &err, sizeof err);
    _exit(127);
  }
  write_end.reset();
  int err = 0;
  ssize_t got;
  while ((got = ::read(read_end.get(), &err, sizeof err)) < 0 && errno == EINTR) {
  }
  if (got == sizeof err) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    throw Error("exec " + spec.argv[0] + ": " + std::strerror(err));
  }
  return pid;
}

}  // namespace roost::ns
