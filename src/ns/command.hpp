// The user's command, started by the child: its environment is the child's minus roost's own
// marker, stdio and every inherited descriptor (LISTEN_FDS's from 3 on) pass through, and
// LISTEN_PID names the command itself when the sockets were meant for roost ns.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace roost::ns {

// The variable that tells the re-executed roost ns it is the child, and where its channels are.
inline constexpr const char* kChildMarker = "_ROOST_NS_CHILD";

struct CommandSpec {
  std::vector<std::string> argv;
  bool new_session = false;     // with the reaper, as rootlesskit (setsid)
  bool fix_listen_pid = false;  // LISTEN_PID was the parent's: make it the command's
};

// Forks and execs; the command dies with the child (SIGKILL). Throws roost::Error
// ("exec NAME: No such file or directory") when the exec failed; the process is reaped then.
pid_t start_command(const CommandSpec& spec);

// The environment the command gets: `env` without the marker, LISTEN_PID set to `pid` if asked.
std::vector<std::string> command_environment(char** env, bool fix_listen_pid, pid_t pid);

// A wait status as an exit code: the code, or 128 + the signal (as sh and docker report it).
int exit_code_of(int wait_status);

}  // namespace roost::ns
