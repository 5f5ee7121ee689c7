// The container lifecycle of runtime-spec runtime.md: create, start, state, kill, delete, plus
// run (create + start + wait) and list. The CLI is a thin layer over these.
#pragma once

#include <string>
#include <vector>

#include "container/state_store.hpp"

namespace roost {

struct Runtime {
  StateStore store;
  bool rootless = false;  // --rootless, resolved: true when not real root
  bool systemd_cgroup = false;  // --systemd-cgroup: cgroupsPath is slice:prefix:name
};

struct CreateOptions {
  std::string id;
  std::string bundle = ".";
  std::string pid_file;
  std::string console_socket;
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;
  // Set by run: without a console socket, a terminal's master comes back to the runtime itself
  // through this connected socket, and run relays it to its own stdio.
  int console_fd = -1;
};

struct ExecRequest {
  std::string id;
  std::string process_file;           // a runtime-spec process JSON; otherwise args + overrides
  std::vector<std::string> args;
  bool tty = false;
  std::string console_socket;
  bool detach = false;
  std::string pid_file;
  std::string cwd;
  std::vector<std::string> env;       // KEY=VALUE, replacing the container's value of KEY
  std::string user;                   // "uid" or "uid:gid"
  std::vector<std::string> caps;      // added to bounding, effective, permitted, ambient
  bool no_new_privs = false;
  int preserve_fds = 0;
};

// Runs another process in a running container: joins its namespaces (the user namespace first),
// applies its seccomp filter, capabilities and rlimits unless the request says otherwise. Returns
// the process's exit code, or 0 when detached.
int exec_in_container(const Runtime& rt, const ExecRequest& req);

// Returns the host pid of the container's init, which waits for start.
pid_t create_container(const Runtime& rt, const CreateOptions& opts);
void start_container(const Runtime& rt, const std::string& id);
std::string container_state_json(const Runtime& rt, const std::string& id);
void kill_container(const Runtime& rt, const std::string& id, int signal, bool all);
void delete_container(const Runtime& rt, const std::string& id, bool force);
// Returns the container process's exit code (128+N if killed by signal N), or 0 when detached.
// With `start_gate_fd` (roost's extension, the engine's monitor uses it): between the create and
// the start, one byte is read from that fd; '1' starts the container, anything else (EOF: the
// caller gave up or died) deletes it and fails. The caller readies what the container needs
// first (its network's helper) while the container is created, without a second runtime process
// for the start.
int run_container(const Runtime& rt, const CreateOptions& opts, bool detach, int start_gate_fd = -1);
// The host pids of the container's processes: "table" (PID and command) or "json" (an array).
std::string container_processes(const Runtime& rt, const std::string& id, const std::string& format);
// Freeze and thaw the container's cgroup (an error when it has none of its own).
void pause_container(const Runtime& rt, const std::string& id);
void resume_container(const Runtime& rt, const std::string& id);
// Writes new limits (a linux.resources JSON file, "-" for stdin) to the container's cgroup.
void update_container(const Runtime& rt, const std::string& id, const std::string& resources_file);
// "table" or "json"; quiet prints the ids only.
std::string list_containers(const Runtime& rt, const std::string& format, bool quiet);

}  // namespace roost
