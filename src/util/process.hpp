// Running a helper program to completion: hooks, newuidmap/newgidmap. Its stdin gets `input`, its
// stderr can be captured for the error message, and it is killed if it outlives the timeout.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

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

// Throws roost::SysError only when the program could not be started at all.
ProgramResult run_program(const ProgramSpec& spec);

// The same in two halves, so that several programs can run at once (newuidmap beside newgidmap):
// start_program returns once the program is exec'd and has its input; finish_program waits for it.
struct RunningProgram {
  pid_t pid = -1;
  int pidfd = -1;
  int err_read = -1;       // its stderr, when captured
  RunningProgram() = default;
  RunningProgram(RunningProgram&& other) noexcept;
  RunningProgram& operator=(RunningProgram&&) = delete;
  ~RunningProgram();       // kills and reaps a program that was never finished
};
RunningProgram start_program(const ProgramSpec& spec);
ProgramResult finish_program(RunningProgram& program, int timeout_seconds);

// Waits until the process (not necessarily a child) has exited, up to timeout_ms; true if it did.
bool wait_for_exit(pid_t pid, int timeout_ms);

// Descriptors 3 .. 3+count-1 that a caller asked to preserve must exist, or a descriptor of the
// runtime could take the number and leak into the container: gaps are filled with /dev/null.
void fill_preserved_fd_gaps(int count);

// Resets every signal to its default action and unblocks all, as a freshly exec'd program expects.
void reset_signals();

}  // namespace roost
