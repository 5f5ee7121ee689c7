// The runtime's create, start and delete, with the container's stdio and the runtime's errors.
#include "monitor/runtime_runner.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>

#include "util/file.hpp"
#include "util/process.hpp"

namespace roost::monitor {

std::string last_error_line(std::string_view output, std::string_view program) {
  while (!output.empty()) {
    while (!output.empty() && (output.back() == '\n' || output.back() == '\r' || output.back() == ' ')) output.remove_suffix(1);
    const size_t start = output.rfind('\n');
    std::string_view line = start == std::string_view::npos ? output : output.substr(start + 1);
    if (!line.empty()) {
      const std::string prefix = std::string(program) + ": ";
      if (line.starts_with(prefix)) line.remove_prefix(prefix.size());
      return std::string(line);
    }
    output = start == std::string_view::npos ? std::string_view() : output.substr(0, start);
  }
  return {};
}

RuntimeRunner::RuntimeRunner(std::string runtime, std::string root, std::string bundle, std::string id,
                             std::string pid_file)
    : runtime_(std::move(runtime)), root_(std::move(root)), bundle_(std::move(bundle)), id_(std::move(id)),
      pid_file_(std::move(pid_file)) {}

std::vector<std::string> RuntimeRunner::command(std::vector<std::string> tail) const {
  std::vector<std::string> argv{runtime_};
  if (!root_.empty()) argv.insert(argv.end(), {"--root", root_});
  argv.insert(argv.end(), tail.begin(), tail.end());
  return argv;
}

namespace {

std::string program_name(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// What the nonblocking fd holds now.
std::string read_available(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

constexpr int kGateFd = 3;  // where the runtime finds --start-gate's socket

// fork + exec with the given stdio, and `gate` as fd 3 when it is one; the monitor's other fds
// are all close-on-exec. Returns the pid.
pid_t spawn_with_stdio(const std::vector<std::string>& argv, const RuntimeStdio& stdio, int gate) {
  auto args = to_argv(argv);
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork for " + argv[0]);
  if (pid == 0) {
    reset_signals();
    // dup2 clears close-on-exec on the copy: these are what the runtime keeps.
    if (::dup2(stdio.stdin_fd, 0) < 0 || ::dup2(stdio.stdout_fd, 1) < 0 || ::dup2(stdio.stderr_fd, 2) < 0) _exit(125);
    if (gate >= 0 && ::dup2(gate, kGateFd) < 0) _exit(125);
    ::execv(args[0], args.data());
    const std::string msg = program_name(argv[0]) + ": exec " + argv[0] + ": no such file or directory\n";
    (void)!::write(2, msg.data(), msg.size());
    _exit(125);
  }
  return pid;
}

int wait_status(pid_t pid, const std::string& program) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_errno("wait for " + program);
  }
  return status;
}

}  // namespace

pid_t RuntimeRunner::create(const RuntimeStdio& stdio, Start start, const std::function<void()>& ready) {
  std::vector<std::string> tail{"create", "--bundle", bundle_, "--pid-file", pid_file_};
  if (start != Start::Later) tail = {"run", "--detach", "--bundle", bundle_, "--pid-file", pid_file_};
  UniqueFd gate_ours, gate_theirs;
  if (start == Start::AfterReady) {
    // A socket rather than a pipe: the byte is sent with MSG_NOSIGNAL, so a runtime that already
    // failed costs no SIGPIPE; its exit status tells what happened.
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) throw_errno("make the runtime's start gate");
    gate_ours.reset(pair[0]);
    gate_theirs.reset(pair[1]);
    tail.insert(tail.end(), {"--start-gate", std::to_string(kGateFd)});
  }
  if (!stdio.console_socket.empty()) tail.insert(tail.end(), {"--console-socket", stdio.console_socket});
  tail.push_back(id_);
  const pid_t runtime = spawn_with_stdio(command(tail), stdio, gate_theirs.get());
  gate_theirs.reset();
  if (start == Start::AfterReady) {
    try {
      ready();
    } catch (...) {
      gate_ours.reset();  // EOF: the runtime deletes the container and fails
      wait_status(runtime, runtime_);
      throw;
    }
    const char go = '1';
    (void)!::send(gate_ours.get(), &go, 1, MSG_NOSIGNAL);
    gate_ours.reset();
  }
  const int status = wait_status(runtime, runtime_);
  if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    std::string line = last_error_line(read_available(stdio.error_read_fd), program_name(runtime_));
    if (line.empty()) line = program_name(runtime_) + " " + tail[0] + " " + ProgramResult{status}.describe();
    throw RuntimeFailure(line);
  }
  std::string text = read_file(pid_file_);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  int pid = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
  if (ec != std::errc() || ptr != text.data() + text.size() || pid <= 0)
    throw RuntimeFailure("the runtime wrote no pid to " + pid_file_);
  return pid;
}

void RuntimeRunner::start() {
  ProgramSpec spec;
  spec.argv = command({"start", id_});
  spec.capture_stderr = true;
  spec.timeout_seconds = 60;
  ProgramResult result = run_program(spec);
  if (!result.succeeded()) {
    std::string line = last_error_line(result.error_output, program_name(runtime_));
    throw RuntimeFailure(line.empty() ? program_name(runtime_) + " start " + result.describe() : line);
  }
}

std::optional<RunningProgram> RuntimeRunner::begin_delete(std::string& error) {
  ProgramSpec spec;
  spec.argv = command({"delete", "--force", id_});
  spec.capture_stderr = true;
  spec.timeout_seconds = 30;
  try {
    return start_program(spec);
  } catch (const Error& e) {
    error = e.what();
    return std::nullopt;
  }
}

std::string RuntimeRunner::end_delete(RunningProgram& program) {
  try {
    ProgramResult result = wait_program(program);
    if (result.succeeded()) return {};
    std::string line = last_error_line(result.error_output, program_name(runtime_));
    return line.empty() ? program_name(runtime_) + " delete " + result.describe() : line;
  } catch (const Error& e) {
    return e.what();
  }
}

std::string RuntimeRunner::delete_force() {
  std::string error;
  std::optional<RunningProgram> program = begin_delete(error);
  return program ? end_delete(*program) : error;
}

}  // namespace roost::monitor
