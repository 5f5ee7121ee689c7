// The state directory (--root): one directory per container holding state.json, the exec fifo and
// a copy of config.json. A container's directory is locked (flock) by every command that changes it,
// so concurrent commands on one container are serialised.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "util/unique_fd.hpp"

namespace roost {

struct StateRecord {
  std::string id;
  pid_t pid = 0;
  uint64_t pid_start_time = 0;  // from /proc/PID/stat, so a reused pid is not mistaken for the container
  std::string bundle;
  std::string rootfs;
  std::string created;          // RFC 3339
  std::string owner;
  std::map<std::string, std::string> annotations;
  std::string cgroup;           // the container's own cgroup v2 directory; "" when it has none
  bool ready = false;           // false while create is still setting the container up
};

class StateStore {
 public:
  explicit StateStore(std::string root);
  // $XDG_RUNTIME_DIR/roost-runtime when rootless, /run/roost-runtime as root.
  static std::string default_root(bool rootless);
  const std::string& root() const { return root_; }
  std::string container_dir(const std::string& id) const;
  // Compiled seccomp filters (sys/seccomp_cache), shared by the containers of this root.
  std::string seccomp_cache_dir() const { return root_ + "/seccomp-cache"; }
  std::vector<std::string> list_ids() const;

 private:
  std::string root_;
};

// Throws roost::Error unless the id is a safe single path component runc would also accept.
void validate_container_id(const std::string& id);

class ContainerDir {
 public:
  // Creates the directory for a new container (fails if the id exists) and locks it.
  static ContainerDir create(const StateStore& store, const std::string& id);
  // Opens and locks an existing container's directory.
  static ContainerDir open(const StateStore& store, const std::string& id);

  const std::string& path() const { return path_; }
  const std::string& id() const { return id_; }
  // The locked descriptor: a forked child must close it, or it would hold the lock for its life.
  int lock_fd() const { return lock_.get(); }
  std::string fifo_path() const { return path_ + "/exec.fifo"; }
  std::string config_path() const { return path_ + "/config.json"; }
  StateRecord read() const;
  void write(const StateRecord& record) const;
  void remove();

 private:
  ContainerDir(std::string id, std::string path, UniqueFd lock) : id_(std::move(id)), path_(std::move(path)), lock_(std::move(lock)) {}
  std::string id_;
  std::string path_;
  UniqueFd lock_;
};

// Reads a state record without taking the lock (state.json is replaced atomically).
StateRecord read_state_record(const std::string& dir);

// The start time of a process in clock ticks since boot, 0 if it does not exist.
uint64_t process_start_time(pid_t pid);

}  // namespace roost
