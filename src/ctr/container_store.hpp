// The engine's containers on disk (docs/ARCHITECTURE.md (roost's containers), "Where things live"):
// create with a unique name, look up by id, id prefix or name, list, rename, remove; each
// container's record and state. Several roost processes and monitors at once are safe: names and
// the set of containers change under containers.lock; a container's state changes under its own
// lock; every file is written to a temporary name and renamed.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ctr/container.hpp"
#include "util/unique_fd.hpp"

namespace roost::ctr {

struct ContainerPaths {
  std::filesystem::path dir;       // data_root/containers/<id>
  std::filesystem::path run_dir;   // run_root/containers/<id>
  std::filesystem::path config() const { return dir / "container.json"; }
  std::filesystem::path state() const { return dir / "state.json"; }
  std::filesystem::path lock() const { return dir / "lock"; }
  std::filesystem::path upper() const { return dir / "upper"; }
  std::filesystem::path work() const { return dir / "work"; }
  std::filesystem::path bundle() const { return dir / "bundle"; }
  std::filesystem::path log() const { return dir / "ctr.log"; }
  std::filesystem::path rootfs() const { return run_dir / "rootfs"; }
  std::filesystem::path ctl_socket() const { return run_dir / "ctl.sock"; }
  std::filesystem::path netns() const { return run_dir / "netns"; }
  std::filesystem::path monitor_config() const { return run_dir / "monitor.json"; }
};

// A container's two records as they are on disk (the state as last written: engine's
// current_state tells the truth from it).
struct ContainerRecord {
  ContainerConfig config;
  ContainerState state;
};

class ContainerStore {
 public:
  // data_root and run_root as store::StorePaths has them; makes the folders (0700) when missing.
  ContainerStore(std::filesystem::path data_root, std::filesystem::path run_root);

  // Gives the config an id (random, 64 hex) and a name when it has none (adjective_noun, as
  // Docker's), reserves the name, makes the directories and writes container.json and a Created
  // state. A name in use: roost::Error with podman's words ("the container name \"x\" is already
  // in use by ID. You have to remove that container to be able to reuse that name: that name is
  // already in use"). Two creates with one name at once: exactly one wins.
  ContainerConfig create(ContainerConfig config);

  // By full id, unique id prefix, or name. nullopt when none matches; an ambiguous prefix is an
  // error.
  std::optional<std::string> resolve(const std::string& name_or_id) const;
  ContainerConfig config(const std::string& id) const;
  ContainerState state(const std::string& id) const;       // Created when no state was written yet
  void write_state(const std::string& id, const ContainerState& state) const;
  std::vector<std::string> list() const;                    // ids, oldest first
  // Every container with its config and recorded state, oldest first, for ps: each file read
  // once, through its container's directory opened once; no lock (a rename replaces a record
  // whole, so a reader sees the old one or the new one).
  // It also removes what a create or remove killed part-way left (a name without a record, a
  // record without its container.json), when it sees some and containers.lock is free: create and
  // remove do that too, under the lock they hold.
  std::vector<ContainerRecord> records() const;
  // The ids of the containers whose mounts name the volume (for `volume rm`'s refusal).
  std::vector<std::string> volume_users(const std::string& volume_name) const;
  void rename(const std::string& id, const std::string& new_name);
  // Removes the record, its name, its files (upper dir included: a walk that never follows a
  // symlink) and its run dir. The caller has made sure nothing runs.
  void remove(const std::string& id);

  ContainerPaths paths(const std::string& id) const;
  // The container's lock (flock exclusive on containers/<id>/lock), held while the fd lives.
  UniqueFd lock(const std::string& id) const;
  const std::filesystem::path& data_root() const { return data_root_; }
  const std::filesystem::path& run_root() const { return run_root_; }

 private:
  void sweep_if_left_over(size_t records_seen, size_t unfinished) const;
  std::filesystem::path data_root_, run_root_;
};

}  // namespace roost::ctr
