// Store commands run inside the user's user namespace, so layers are written with the ids they
// have in the image: 0 -> the user, 1..N -> the /etc/subuid range (through newuidmap/newgidmap),
// or, with no range, 0 -> the user only (every file then belongs to the user: ids are squashed).
// The process enters it itself: it forks a helper that, once the process has unshared, runs
// newuidmap/newgidmap for it (or it writes a one-id map itself), then goes on as root of the
// namespace with a private mount namespace too. It must be called while single-threaded.
// Real root, or a process already inside roost's user namespace (`roost unshare`), stays as it is.
#pragma once

#include <string>

namespace roost::store {

struct UsernsSession {
  bool entered = false;      // a new namespace was made by this call
  bool squash_ids = false;   // only one id is mapped: layers cannot keep their owners
  bool real_root = false;    // running as root in the initial user namespace
  std::string map_summary;   // "0:1001:1,1:200000:65536" for `roost info`
};

// Idempotent within a process. Throws roost::Error with advice (no newuidmap: "apt-get install
// uidmap"; user namespaces disabled: the sysctl to set).
const UsernsSession& enter_user_namespace();

}  // namespace roost::store
