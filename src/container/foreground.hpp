// Waiting for a container process in the foreground (run, exec): the runtime forwards the signals
// it gets, relays a terminal the process sent back, and returns the exit code.
#pragma once

#include <sys/types.h>

namespace roost {

// `console_receiver`: a socket on which the process may have sent its pty master (-1: none).
// Returns the exit status, or 128+N when killed by signal N.
int wait_in_foreground(pid_t pid, int console_receiver);

}  // namespace roost
