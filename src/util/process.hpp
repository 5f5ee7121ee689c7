// Running a helper program to completion: hooks, newuidmap/newgidmap. Its stdin gets `input`, its
// stderr can be captured for the error message, and it is killed if it outlives the timeout.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "util/unique_fd.hpp"

namespace roost {

struct ProgramResult {
  int wait_status = 0;      // as from waitpid
  bool timed_out = false;
  std::string error_output; // stderr, when captured
  bool succeeded() const;
  std::string describe() const;  // "exited with status 2", "killed by signal 9", "timed out"
};

struct ProgramSpec {
  std::vector<std::string> argv;         // argv[0] is the path (or a name looked up in PATH)
  std::string path;                      // if set, executed instead of argv[0]
  const std::vector<std::string>* env = nullptr;  // null: inherit
  std::string input;
  int timeout_seconds = 0;               // 0: no limit
  bool capture_stderr = false;
  int stdout_fd = -1;                    // if set, the program's stdout (else inherited)
};

// A started program: its pid, a pidfd to wait on and its captured stderr.
struct RunningProgram {
  pid_t pid = -1;
  UniqueFd pidfd, err_read;
  int timeout_seconds = 0;
  long started_ms = 0;
};

// Throws roost::SysError only when the program could not be started at all.
ProgramResult run_program(const ProgramSpec& spec);
// The two halves of run_program, so that independent programs (newuidmap and newgidmap) can run
// at once: start_program returns once the program has been exec'd (its input written), and
// wait_program collects it.
RunningProgram start_program(const ProgramSpec& spec);
ProgramResult wait_program(RunningProgram& program);

// Forks a child that runs `work` and exits: 0, or 1 with the text of what `work` threw written to
// a pipe whose read end goes to `report` (close-on-exec). With die_with_parent the child gets
// PR_SET_PDEATHSIG(SIGKILL). Returns the child's pid; collect it with wait_reported.
pid_t fork_reporting(const std::function<void()>& work, UniqueFd& report, bool die_with_parent);
// fork_reporting, then wait_reported: throws roost::Error with the child's line (or with
// silent_failure when it ended badly without a word).
void run_forked(const std::function<void()>& work, const std::string& silent_failure, bool die_with_parent);

// Collects a forked child that reports a failure as text on a pipe (report_fd: the read end, whose
// write end the child alone holds): what it wrote, once it has exited and been reaped; when it
// wrote nothing yet did not exit 0, `silent_failure`. Empty: it succeeded.
std::string wait_reported(pid_t pid, int report_fd, const std::string& silent_failure);

// Waits until the process (not necessarily a child) has exited, up to timeout_ms; true if it did.
bool wait_for_exit(pid_t pid, int timeout_ms);

// Descriptors 3 .. 3+count-1 that a caller asked to preserve must exist, or a descriptor of the
// runtime could take the number and leak into the container: gaps are filled with /dev/null.
void fill_preserved_fd_gaps(int count);

// The null-terminated char* array execve takes, pointing into v (which must outlive it).
std::vector<char*> to_argv(const std::vector<std::string>& v);

// Resets every signal to its default action and unblocks all, as a freshly exec'd program expects.
void reset_signals();

}  // namespace roost
