// The engine's containers on disk (ctr/container_store.hpp). The set of containers and their
// names change only under containers.lock; a name is a file names/<name> holding the id, made by
// link(2) of a complete temporary file, so it exists whole or not at all and two processes cannot
// both make it. A container's files are written to a temporary name and renamed into place (a
// killed writer leaves the old file or the new one) and removed by an fd walk that never follows a
// symlink. The fsyncs, which only guard against a power loss, are spent per record, as Docker
// and podman do: on what a user made and expects to find after a reboot (a persistent container's
// container.json and name), not on state.json (a cache: ps and start judge from the liveness of
// the recorded pids, and after a reboot every container has exited whatever it says) nor on any
// file of a --rm container (it does not outlive the command that made it; a leftover after a
// power loss is a record without a monitor, removed by rm like any exited container).
#include "ctr/container_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "ctr/container_json.hpp"
#include "ctr/names.hpp"
#include "util/clock.hpp"
#include "util/dir_files.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/file_lock.hpp"

namespace roost::ctr {

namespace fs = std::filesystem;

namespace {

bool is_full_id(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_hex(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool exists_at(int dirfd, const std::string& name) {
  struct stat st;
  return ::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

// The id a name file holds, or "" when there is no such name.
std::string read_name(int names_fd, const std::string& name) {
  UniqueFd fd(::openat(names_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return "";
    throw_errno("open the name file of " + name);
  }
  std::string id = read_file_at(names_fd, name, "the name file of " + name);
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

std::string name_in_use(const std::string& name, const std::string& id) {
  return "the container name \"" + name + "\" is already in use by " + id +
         ". You have to remove that container to be able to reuse that name: that name is already in use";
}

std::string no_such_container(const std::string& id) {
  return "no container with ID " + id + " found: no such container";
}

// The container's directory; a missing one (or a malformed id) is podman's "no such container".
UniqueFd open_container_dir(const fs::path& data_root, const std::string& id) {
  if (!is_full_id(id)) throw Error(no_such_container(id));
  UniqueFd fd(::open((data_root / "containers" / id).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) throw Error(no_such_container(id));
    throw_errno("open the directory of container " + id);
  }
  return fd;
}

}  // namespace

ContainerStore::ContainerStore(fs::path data_root, fs::path run_root)
    : data_root_(std::move(data_root)), run_root_(std::move(run_root)) {
  make_dirs((data_root_ / "containers" / "names").string(), 0700);
  make_dirs((run_root_ / "containers").string(), 0700);
}

namespace {

// The store's directories, opened once per operation.
struct StoreDirs {
  UniqueFd containers, names;
  explicit StoreDirs(const fs::path& data_root)
      : containers(open_dir(data_root / "containers")), names(open_dir(data_root / "containers" / "names")) {}
};

FileLock lock_containers(const fs::path& data_root) {
  return FileLock::acquire(data_root / "containers" / "containers.lock");
}

// Makes names/<name> hold id, failing (false) when the name exists: the file is written whole
// under a temporary name first and linked, so nobody reads a half-written name.
bool reserve_name(const StoreDirs& dirs, const std::string& name, const std::string& id, bool durable) {
  const std::string tmp = ".tmp-name-" + random_suffix();
  if (durable)
    write_file_durable(dirs.names.get(), dirs.names.get(), tmp, id + "\n", "a new name file");
  else
    write_file_replace_at(dirs.names.get(), tmp, id + "\n", "a new name file");
  const int rc = ::linkat(dirs.names.get(), tmp.c_str(), dirs.names.get(), name.c_str(), 0);
  const int err = errno;
  ::unlinkat(dirs.names.get(), tmp.c_str(), 0);
  if (rc == 0) {
    if (durable) fsync_fd(dirs.names.get(), "the names directory");
    return true;
  }
  if (err == EEXIST) return false;
  throw SysError("reserve the container name " + name, err);
}

void release_name(const StoreDirs& dirs, const std::string& name, const std::string& id) {
  // Only the name this container holds: never one since given to another.
  if (name.empty() || read_name(dirs.names.get(), name) != id) return;
  if (::unlinkat(dirs.names.get(), name.c_str(), 0) < 0 && errno != ENOENT) throw_errno("release the name " + name);
}

// A name whose container has no record (a create or remove cut short) is free again.
bool name_is_stale(const StoreDirs& dirs, const std::string& holder) {
  return !is_full_id(holder) || !exists_at(dirs.containers.get(), holder + "/container.json");
}

bool try_reserve(const StoreDirs& dirs, const std::string& name, const std::string& id, bool durable) {
  if (reserve_name(dirs, name, id, durable)) return true;
  const std::string holder = read_name(dirs.names.get(), name);
  if (!name_is_stale(dirs, holder)) return false;
  if (::unlinkat(dirs.names.get(), name.c_str(), 0) < 0 && errno != ENOENT) throw_errno("remove the stale name " + name);
  return reserve_name(dirs, name, id, durable);
}

// The entries of an open directory (not . and ..), through a dup: the caller's fd keeps its offset.
std::vector<std::string> entries_of(int dirfd) {
  std::vector<std::string> out;
  DIR* dir = ::fdopendir(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
  if (!dir) throw_errno("read a directory of the container store");
  ::rewinddir(dir);
  while (const dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") out.push_back(name);
  }
  ::closedir(dir);
  return out;
}

// What a create or remove killed part-way (kill -9, a power cut) leaves, found and removed under
// containers.lock, when no create or remove can be under way: a record directory without its
// container.json (a create cut before its last write), a .removing-ID directory (a remove cut
// after its rename), a name whose container has no record, a temporary name file.
void sweep_leftovers(const StoreDirs& dirs, const fs::path& data_root) {
  std::vector<std::string> records;
  for (const std::string& entry : entries_of(dirs.containers.get())) {
    const std::string where = (data_root / "containers" / entry).string();
    if (entry.starts_with(".removing-")) {
      remove_tree_at(dirs.containers.get(), entry, where);
    } else if (is_full_id(entry)) {
      if (exists_at(dirs.containers.get(), entry + "/container.json"))
        records.push_back(entry);
      else
        remove_tree_at(dirs.containers.get(), entry, where);
    }
  }
  const std::vector<std::string> names = entries_of(dirs.names.get());
  // Every record holds one name: read the names only when there are more of them than records.
  const bool stale_names = static_cast<size_t>(std::count_if(names.begin(), names.end(), [](const std::string& n) {
                             return !n.starts_with(".tmp-");
                           })) > records.size();
  for (const std::string& name : names) {
    const bool leftover = name.starts_with(".tmp-") ||
                          (stale_names && std::find(records.begin(), records.end(), read_name(dirs.names.get(), name)) == records.end());
    if (leftover && ::unlinkat(dirs.names.get(), name.c_str(), 0) < 0 && errno != ENOENT)
      throw_errno("remove the leftover name file " + name);
  }
}

void write_record(int dirfd, const std::string& file, const std::string& text, const std::string& where,
                  bool durable) {
  if (durable)
    write_file_durable(dirfd, dirfd, file, text, where);
  else
    write_file_replace_at(dirfd, file, text, where);
}

// state.json below a container's directory: missing (not written yet) or empty (renamed into
// place, then a power loss before its data reached the disk: it is not fsynced) reads as Created.
ContainerState read_state_at(int dirfd, const std::string& where) {
  UniqueFd fd(::openat(dirfd, "state.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return ContainerState{};
    throw_errno("open " + where);
  }
  const std::string text = read_fd_whole(fd.get(), where);
  return text.empty() ? ContainerState{} : state_from_json_text(text);
}

// The containers' directories with a container.json, oldest first; `with_state` reads state.json
// too, through the same directory fd. `unfinished`, when given, counts the directories that are
// no container (yet or any more): a record without its container.json, a .removing- directory.
std::vector<std::pair<std::string, ContainerRecord>> scan_records(const fs::path& data_root, bool with_state,
                                                                  size_t* unfinished = nullptr) {
  const fs::path containers = data_root / "containers";
  UniqueFd top = open_dir(containers);
  std::vector<std::pair<std::string, ContainerRecord>> found;  // (created, record)
  for (const auto& entry : fs::directory_iterator(containers)) {
    const std::string id = entry.path().filename().string();
    if (!is_full_id(id)) {
      if (unfinished && id.starts_with(".removing-")) ++*unfinished;
      continue;
    }
    UniqueFd dir(::openat(top.get(), id.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir) {
      if (errno == ENOENT) continue;  // removed meanwhile
      throw_errno("open the directory of container " + id);
    }
    UniqueFd config_fd(::openat(dir.get(), "container.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!config_fd) {
      // Being created or removed right now: not a container yet or any more.
      if (errno == ENOENT) {
        if (unfinished) ++*unfinished;
        continue;
      }
      throw_errno("open " + (containers / id / "container.json").string());
    }
    ContainerRecord record;
    record.config = config_from_json_text(read_fd_whole(config_fd.get(), (containers / id / "container.json").string()));
    if (with_state) record.state = read_state_at(dir.get(), (containers / id / "state.json").string());
    found.emplace_back(record.config.created, std::move(record));
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second.config.id < b.second.config.id;
  });
  return found;
}

}  // namespace

ContainerConfig ContainerStore::create(ContainerConfig config) {
  if (!config.name.empty()) check_name(config.name);
  FileLock held = lock_containers(data_root_);
  StoreDirs dirs(data_root_);
  sweep_leftovers(dirs, data_root_);
  const bool durable = !config.auto_remove;

  do config.id = random_hex(32);
  while (exists_at(dirs.containers.get(), config.id));
  if (config.created.empty()) config.created = now_rfc3339();
  if (config.hostname.empty()) config.hostname = config.id.substr(0, 12);

  if (config.name.empty()) {
    // 2,500 names: after a few taken ones, a numbered suffix keeps a crowded store going.
    for (int attempt = 0;; ++attempt) {
      std::string name = generate_name();
      if (attempt >= 8) name += "_" + std::to_string(attempt);
      if (try_reserve(dirs, name, config.id, durable)) {
        config.name = name;
        break;
      }
    }
  } else if (!try_reserve(dirs, config.name, config.id, durable)) {
    throw Error(name_in_use(config.name, read_name(dirs.names.get(), config.name)));
  }

  const std::string where = "container " + config.id;
  try {
    make_dir_at(dirs.containers.get(), config.id, 0700, where);
    UniqueFd dir = open_dir_at(dirs.containers.get(), config.id, where);
    write_record(dir.get(), "state.json", state_to_json_text(ContainerState{}), where + "/state.json", false);
    // container.json last: a directory without it is no container (list and resolve skip it).
    write_record(dir.get(), "container.json", config_to_json_text(config), where + "/container.json", durable);
    if (durable) fsync_fd(dirs.containers.get(), "the containers directory");
  } catch (...) {
    try {
      remove_tree_at(dirs.containers.get(), config.id, where);
      release_name(dirs, config.name, config.id);
    } catch (const Error&) {
      // The first failure is the one to report; a leftover is found stale later.
    }
    throw;
  }
  return config;
}

std::optional<std::string> ContainerStore::resolve(const std::string& name_or_id) const {
  if (name_or_id.empty()) return std::nullopt;
  StoreDirs dirs(data_root_);
  if (is_full_id(name_or_id) && exists_at(dirs.containers.get(), name_or_id + "/container.json")) return name_or_id;
  if (is_valid_name(name_or_id)) {
    const std::string holder = read_name(dirs.names.get(), name_or_id);
    if (!holder.empty() && !name_is_stale(dirs, holder)) return holder;
  }
  if (!is_hex(name_or_id)) return std::nullopt;
  std::optional<std::string> found;
  for (const std::string& id : list()) {
    if (id.compare(0, name_or_id.size(), name_or_id) != 0) continue;
    if (found) throw Error("more than one result for container ID prefix \"" + name_or_id + "\": use more of the ID");
    found = id;
  }
  return found;
}

ContainerConfig ContainerStore::config(const std::string& id) const {
  const fs::path path = paths(id).config();
  UniqueFd dir = open_container_dir(data_root_, id);
  return config_from_json_text(read_file_at(dir.get(), "container.json", path.string()));
}

ContainerState ContainerStore::state(const std::string& id) const {
  UniqueFd dir = open_container_dir(data_root_, id);
  return read_state_at(dir.get(), paths(id).state().string());
}

void ContainerStore::write_state(const std::string& id, const ContainerState& state) const {
  UniqueFd dir = open_container_dir(data_root_, id);
  write_record(dir.get(), "state.json", state_to_json_text(state), paths(id).state().string(), false);
}

std::vector<std::string> ContainerStore::list() const {
  std::vector<std::string> ids;
  for (auto& [created, record] : scan_records(data_root_, false)) ids.push_back(std::move(record.config.id));
  return ids;
}

std::vector<ContainerRecord> ContainerStore::records() const {
  std::vector<ContainerRecord> out;
  size_t unfinished = 0;
  for (auto& [created, record] : scan_records(data_root_, true, &unfinished)) out.push_back(std::move(record));
  sweep_if_left_over(out.size(), unfinished);
  return out;
}

void ContainerStore::sweep_if_left_over(size_t records_seen, size_t unfinished) const {
  // The scan counted the directories that are no container; one readdir of names/ tells the rest:
  // names beyond the records seen. Either is a leftover of a create or remove that was killed, or
  // one being made right now under the lock (then the lock is busy and nothing is touched).
  if (unfinished == 0 && entries_of(open_dir(data_root_ / "containers" / "names").get()).size() == records_seen) return;
  std::optional<FileLock> held = FileLock::try_acquire(data_root_ / "containers" / "containers.lock");
  if (!held) return;
  sweep_leftovers(StoreDirs(data_root_), data_root_);
}

std::vector<std::string> ContainerStore::volume_users(const std::string& volume_name) const {
  std::vector<std::string> users;
  for (const std::string& id : list()) {
    const ContainerConfig c = config(id);
    if (std::any_of(c.mounts.begin(), c.mounts.end(),
                    [&](const MountRequest& m) { return m.type == "volume" && m.source == volume_name; }))
      users.push_back(id);
  }
  return users;
}

void ContainerStore::rename(const std::string& id, const std::string& new_name) {
  check_name(new_name);
  FileLock held = lock_containers(data_root_);
  StoreDirs dirs(data_root_);
  ContainerConfig config = this->config(id);
  if (config.name == new_name) return;
  if (!try_reserve(dirs, new_name, id, !config.auto_remove))
    throw Error("name " + new_name + " already in use, cannot rename container " + id + ": container already exists");
  const std::string old_name = config.name;
  config.name = new_name;
  try {
    UniqueFd dir = open_container_dir(data_root_, id);
    write_record(dir.get(), "container.json", config_to_json_text(config), paths(id).config().string(),
                 !config.auto_remove);
  } catch (...) {
    release_name(dirs, new_name, id);
    throw;
  }
  release_name(dirs, old_name, id);
}

void ContainerStore::remove(const std::string& id) {
  if (!is_full_id(id)) throw Error(no_such_container(id));
  FileLock held = lock_containers(data_root_);
  StoreDirs dirs(data_root_);
  std::string name;
  try {
    name = config(id).name;
  } catch (const Error&) {
    // A record that cannot be read still goes; its name, if any, is found stale later.
  }
  // The record goes first, in one rename: from then on no lookup finds a half-removed container.
  const std::string gone = ".removing-" + id;
  const std::string gone_path = (data_root_ / "containers" / gone).string();
  remove_tree_at(dirs.containers.get(), gone, gone_path);  // what an earlier remove left
  if (::renameat(dirs.containers.get(), id.c_str(), dirs.containers.get(), gone.c_str()) < 0 && errno != ENOENT)
    throw_errno("move container " + id + " out of place");
  release_name(dirs, name, id);
  remove_tree_at(dirs.containers.get(), gone, gone_path);
  sweep_leftovers(dirs, data_root_);
  UniqueFd run_containers = open_dir(run_root_ / "containers");
  remove_tree_at(run_containers.get(), id, (run_root_ / "containers" / id).string());
}

ContainerPaths ContainerStore::paths(const std::string& id) const {
  return ContainerPaths{data_root_ / "containers" / id, run_root_ / "containers" / id};
}

UniqueFd ContainerStore::lock(const std::string& id) const {
  const fs::path path = paths(id).lock();
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd && errno == ENOENT) throw Error(no_such_container(id));
  if (!fd) throw_errno("open the lock of container " + id);
  while (::flock(fd.get(), LOCK_EX) < 0)
    if (errno != EINTR) throw_errno("lock container " + id);
  return fd;
}

}  // namespace roost::ctr
