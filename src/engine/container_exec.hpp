// `roost exec [-i] [-t] [-d] [-e] [-u] [-w] CTR CMD...`: joins the user namespace of the
// container's init (setns on /proc/PID/ns/user, which the user owns; single-threaded) and runs
// `roost-runtime --root R exec` there, which joins the rest. Exit codes as podman's: the
// command's own, 126 when it cannot be run, 127 when it is not found, 125 for roost's errors.
#pragma once

#include <string>
#include <vector>

#include "ctr/container_store.hpp"

namespace roost::engine {

struct ExecRequest {
  std::string container;               // name or id
  std::vector<std::string> args;
  bool interactive = false;            // -i: the caller's stdin reaches the command
  bool tty = false;                    // -t
  bool detach = false;                 // -d
  std::vector<std::string> env;        // KEY=VALUE, or KEY (from host_env)
  std::string user;                    // user[:group], names resolved in the container
  std::string workdir;
  const char* const* host_env = nullptr;
};

// Runs the command; returns the exit code (roost's own failures are roost::Error, exit 125).
int exec_in_container(const ctr::ContainerStore& containers, const ExecRequest& request);

}  // namespace roost::engine
