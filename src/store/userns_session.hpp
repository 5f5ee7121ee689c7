// Store commands run inside the user's user namespace, so layers are written with the ids they
// have in the image: 0 -> the user, 1..N -> the /etc/subuid range (through newuidmap/newgidmap),
// or, with no range, 0 -> the user only (every file then belongs to the user: ids are squashed).
//
// One namespace per user (per run_root), as podman has: the first command that needs it makes it
// (it unshares, and a forked helper runs newuidmap/newgidmap for it, or it writes a one-id map
// itself) and leaves a pause process in it (sys/pause_process), whose pid and start time it writes
// to run_root/pause.pid under run_root/pause.lock. Later commands setns into the pause process's
// user namespace: no unshare, no newuidmap, and the containers they start (whose monitors keep
// their namespace) all share it, so one process can join every container's network namespace. A
// dead pause process, or a pid of its reused by another process (other start time, or a user
// namespace the caller does not own), is replaced. Either way the process goes on as root of the
// namespace with a private mount namespace of its own (mounts it makes die with it unless it hands
// them to a process that lives on). `roost system reset` ends the pause process
// (stop_pause_process); so do the tests' teardowns.
// It must be called while single-threaded.
// Real root, or a process already inside roost's user namespace (`roost unshare`), stays as it is.
//
// "Already inside": ROOST_USERNS_PID names a process in this very user namespace (compared by
// /proc/PID/ns/user), or the process is uid 0 in a user namespace other than the initial one
// (its /proc/self/uid_map is not "0 0 4294967295"). On entering, this sets ROOST_USERNS_PID to its
// own pid, so that whatever it starts (`roost unshare CMD`, a roost run from that shell) sees it.
// Enough ranges for more than one id but no newuidmap/newgidmap is an error (not a silent squash);
// no range at all is the one-id map, squash_ids.
#pragma once

#include <filesystem>
#include <string>

namespace roost::store {

struct UsernsSession {
  bool entered = false;      // this process entered the namespace (and a private mount namespace)
  bool joined = false;       // entered by joining the pause process's (an earlier command made it)
  int pause_pid = 0;         // the pause process keeping the namespace; 0 when there is none
  bool squash_ids = false;   // only one id is mapped: layers cannot keep their owners
  bool real_root = false;    // running as root in the initial user namespace
  std::string map_summary;   // "0:1001:1,1:200000:65536" for `roost info` (the uid map)
  std::string gid_map_summary;  // the same for gids
};

// The user's shared namespace, its pause process's files in run_root (store::StorePaths::run_root,
// made 0700 when missing). Idempotent within a process: the first call (of any of the three)
// decides, later ones return its session. Throws roost::Error with advice (no newuidmap:
// "apt-get install uidmap"; user namespaces disabled: the sysctl to set).
const UsernsSession& enter_user_namespace(const std::filesystem::path& run_root);
// The same, with run_root from StorePaths::for_current_user() (the environment's).
const UsernsSession& enter_user_namespace();
// A namespace of this process's alone, with no pause process: `roost check`'s probe, which must
// see whether the host lets a namespace be made at all.
const UsernsSession& enter_private_user_namespace();

// Ends run_root's pause process, if one lives (SIGKILL, then waits for it), and removes its pid
// file. The namespace goes once nothing else is in it: processes already inside (this one,
// running containers) keep theirs, the next command makes a new one. True if one was ended.
bool stop_pause_process(const std::filesystem::path& run_root);

}  // namespace roost::store
