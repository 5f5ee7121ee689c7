// The child half of roost ns: the process in the new namespaces, re-executed by the parent once
// its ids are mapped (so that it is uid 0 with every capability there, and its /proc/PID/environ
// holds ROOTLESSKIT_STATE_DIR and the parent's ids). It sets up mounts and network, serves the
// port driver's child half, runs the command and passes its exit code on.
#pragma once

#include "ns/options.hpp"

namespace roost::ns {

// True when this process is the re-executed child (the marker is in the environment).
bool is_ns_child();

// Returns the exit code: the command's, 128+N when a signal killed it, 1 when set-up failed
// (the error went to the parent, which prints it).
int run_ns_child(const NsOptions& opts);

}  // namespace roost::ns
