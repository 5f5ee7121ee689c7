// Store commands run inside the user's user namespace, so layers are written with the ids they
// have in the image: 0 -> the user, 1..N -> the /etc/subuid range (through newuidmap/newgidmap),
// or, with no range, 0 -> the user only (every file then belongs to the user: ids are squashed).
// The process enters it itself: it forks a helper that, once the process has unshared, runs
// newuidmap/newgidmap for it (or it writes a one-id map itself), then goes on as root of the
// namespace with a private mount namespace too. It must be called while single-threaded.
// Real root, or a process already inside roost's user namespace (`roost unshare`), stays as it is.
//
// "Already inside": ROOST_USERNS_PID names a process in this very user namespace (compared by
// /proc/PID/ns/user), or the process is uid 0 in a user namespace other than the initial one
// (its /proc/self/uid_map is not "0 0 4294967295"). On entering, this sets ROOST_USERNS_PID to its
// own pid, so that whatever it starts (`roost unshare CMD`, a roost run from that shell) sees it.
// Enough ranges for more than one id but no newuidmap/newgidmap is an error (not a silent squash);
// no range at all is the one-id map, squash_ids.
#pragma once

#include <string>

namespace roost::store {

struct UsernsSession {
  bool entered = false;      // a new namespace was made by this call
  bool squash_ids = false;   // only one id is mapped: layers cannot keep their owners
  bool real_root = false;    // running as root in the initial user namespace
  std::string map_summary;   // "0:1001:1,1:200000:65536" for `roost info` (the uid map)
  std::string gid_map_summary;  // the same for gids
};

// Idempotent within a process. Throws roost::Error with advice (no newuidmap: "apt-get install
// uidmap"; user namespaces disabled: the sysctl to set).
const UsernsSession& enter_user_namespace();

}  // namespace roost::store
