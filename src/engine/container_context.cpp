#include "engine/container_context.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

#include "util/clock.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace roost::engine {

ctr::ContainerStore open_containers(const GlobalOptions& global) {
  const store::StorePaths paths = store_paths(global);
  return ctr::ContainerStore(paths.data_root, paths.run_root);
}

std::filesystem::path helper_program(const std::string& name) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("find roost's own program (/proc/self/exe): " + ec.message());
  std::filesystem::path path = self.parent_path() / name;
  if (::access(path.c_str(), X_OK) != 0)
    throw Error(name + " is missing beside roost (" + path.string() + "): build or install it with roost");
  return path;
}

ctr::ContainerConfig effective_config(ctr::ContainerConfig config) {
  if (config.hostname.empty()) config.hostname = config.id.substr(0, 12);
  return config;
}

ctr::ContainerConfig container_config(const ctr::ContainerStore& containers, const std::string& id) {
  return effective_config(containers.config(id));
}

std::filesystem::path runtime_root(const ctr::ContainerStore& containers) {
  return containers.run_root() / "runtime";
}

std::string require_container(const ctr::ContainerStore& containers, const std::string& name_or_id) {
  std::optional<std::string> id = containers.resolve(name_or_id);
  if (!id) throw Error("no container with name or ID \"" + name_or_id + "\" found: no such container");
  return *id;
}

std::optional<uint64_t> process_start_time(int pid) {
  if (pid <= 0) return std::nullopt;
  std::string stat;
  try {
    stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  } catch (const Error&) {
    return std::nullopt;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  const std::vector<std::string> fields = split(stat.substr(close + 2), ' ');
  // fields[0] is field 3 (state), so field 22 is fields[19]. A zombie has exited.
  if (fields.size() < 20 || fields[0] == "Z" || fields[0] == "X") return std::nullopt;
  return std::strtoull(fields[19].c_str(), nullptr, 10);
}

bool process_alive(int pid, uint64_t start_time) {
  const std::optional<uint64_t> started = process_start_time(pid);
  return started && (start_time == 0 || *started == start_time);
}

int runtime_error_exit_code(const std::string& error) {
  std::string lower = error;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find("not found") != std::string::npos || lower.find("no such file or directory") != std::string::npos)
    return 127;
  if (lower.find("permission denied") != std::string::npos) return 126;
  return 125;
}

bool is_active(ctr::Status status) {
  return status == ctr::Status::Running || status == ctr::Status::Paused || status == ctr::Status::Stopping;
}

ctr::ContainerState truthful_state(ctr::ContainerState recorded, bool monitor_alive, bool init_alive,
                                   const std::string& now_rfc3339) {
  if (!is_active(recorded.status) || monitor_alive || init_alive) return recorded;
  recorded.status = ctr::Status::Exited;
  recorded.pid = 0;
  recorded.pid_start_time = 0;
  recorded.monitor_pid = 0;
  recorded.monitor_start_time = 0;
  if (recorded.finished_at.empty()) recorded.finished_at = now_rfc3339;
  if (!recorded.exit_code) recorded.exit_code = -1;
  if (recorded.error.empty()) recorded.error = "the container's monitor and process are gone (killed, or the machine restarted)";
  return recorded;
}

ctr::ContainerState current_state(const ctr::ContainerStore& containers, const std::string& id) {
  return current_state(containers, id, containers.state(id));
}

ctr::ContainerState current_state(const ctr::ContainerStore& containers, const std::string& id,
                                  const ctr::ContainerState& recorded) {
  if (!is_active(recorded.status)) return recorded;
  const bool monitor = process_alive(recorded.monitor_pid, recorded.monitor_start_time);
  const bool init = process_alive(recorded.pid, recorded.pid_start_time);
  ctr::ContainerState truth = truthful_state(recorded, monitor, init, now_rfc3339());
  if (truth.status != recorded.status) {
    // Write it back only when nobody holds the lock: a start under way owns the state, and ps
    // does not wait.
    UniqueFd lock(::open(containers.paths(id).lock().c_str(), O_RDWR | O_CLOEXEC));
    if (lock && ::flock(lock.get(), LOCK_EX | LOCK_NB) == 0 && containers.state(id).status == recorded.status) {
      try {
        containers.write_state(id, truth);
      } catch (const Error&) {
        // A read-only view (another user's store) still gets the truth, unrecorded.
      }
    }
  }
  return truth;
}

void join_user_namespace_of(int pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/ns/user";
  struct stat theirs{}, ours{};
  if (::stat(path.c_str(), &theirs) != 0) throw_errno("find the container's user namespace (" + path + ")");
  if (::stat("/proc/self/ns/user", &ours) != 0) throw_errno("stat /proc/self/ns/user");
  if (theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev) {
    UniqueFd ns(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) throw_errno("open " + path);
    if (::setns(ns.get(), CLONE_NEWUSER) != 0) throw_errno("join the container's user namespace (setns " + path + ")");
  }
  ::setenv("ROOST_USERNS_PID", std::to_string(pid).c_str(), 1);
}

}  // namespace roost::engine
