// roost ns's state directory, as rootlesskit's: `lock` (flock, so a second instance is refused),
// `child_pid` (written last, once network and ports are ready), `api.sock`, and with
// --detach-netns `netns`; also `resolv.conf` and `hosts` for a non-host network.
#pragma once

#include <sys/types.h>

#include <string>

#include "util/unique_fd.hpp"

namespace roost::ns {

class StateDir {
 public:
  // `requested` empty: a fresh mkdtemp under $TMPDIR (or /tmp). Otherwise made absolute, created
  // (0755, parents too), locked, and emptied of all but `lock`. Throws roost::Error; with a lock
  // held by another instance: "failed to lock DIR/lock, another RootlessKit is running with the
  // same state directory?", and nothing in the directory is touched.
  explicit StateDir(const std::string& requested);
  // Removes the directory, as rootlesskit does (a given one too).
  ~StateDir();
  StateDir(const StateDir&) = delete;
  StateDir& operator=(const StateDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // `child_pid`: decimal, no newline, mode 0444.
  void write_child_pid(pid_t pid) const;

 private:
  std::string path_;
  UniqueFd dir_lock_;   // LOCK_SH on the directory, so that systemd-tmpfiles leaves it alone
  UniqueFd lock_;       // LOCK_EX on `lock`
};

}  // namespace roost::ns
