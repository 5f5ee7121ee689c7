#include "container/state_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "util/clock.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost {

using json = nlohmann::json;

StateStore::StateStore(std::string root) : root_(std::move(root)) {}

std::string StateStore::default_root(bool rootless) {
  if (!rootless) return "/run/roost-runtime";
  const char* xdg = ::getenv("XDG_RUNTIME_DIR");
  if (xdg && *xdg) return std::string(xdg) + "/roost-runtime";
  return "/tmp/roost-runtime-" + std::to_string(::geteuid());
}

std::string StateStore::container_dir(const std::string& id) const { return root_ + "/" + id; }

std::vector<std::string> StateStore::list_ids() const {
  std::vector<std::string> ids;
  DIR* dir = ::opendir(root_.c_str());
  if (!dir) {
    if (errno == ENOENT) return ids;
    throw_errno("open state directory " + root_);
  }
  while (struct dirent* ent = ::readdir(dir)) {
    std::string name = ent->d_name;
    if (name == "." || name == "..") continue;
    if (path_exists(root_ + "/" + name + "/state.json")) ids.push_back(name);
  }
  ::closedir(dir);
  std::sort(ids.begin(), ids.end());
  return ids;
}

void validate_container_id(const std::string& id) {
  bool ok = !id.empty() && id.size() <= 1024 && id != "." && id != "..";
  for (char c : id)
    ok = ok && (isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '+');
  if (!ok) throw Error("invalid container id \"" + id + "\": use letters, digits and _ - . +");
}

static UniqueFd lock_dir(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return fd;
  if (::flock(fd.get(), LOCK_EX) < 0) throw_errno("lock " + path);
  return fd;
}

ContainerDir ContainerDir::create(const StateStore& store, const std::string& id) {
  validate_container_id(id);
  make_dirs(store.root(), 0700);
  std::string path = store.container_dir(id);
  if (::mkdir(path.c_str(), 0700) < 0) {
    if (errno == EEXIST) throw Error("container \"" + id + "\" already exists");
    throw_errno("create " + path);
  }
  UniqueFd lock = lock_dir(path);
  if (!lock) throw_errno("open " + path);
  return ContainerDir(id, path, std::move(lock));
}

ContainerDir ContainerDir::open(const StateStore& store, const std::string& id) {
  validate_container_id(id);
  std::string path = store.container_dir(id);
  UniqueFd lock = lock_dir(path);
  // A directory without state.json is a create in progress or one that failed; after the lock,
  // a concurrent delete may also have removed it.
  if (!lock || !path_exists(path + "/state.json")) throw Error("container \"" + id + "\" does not exist");
  return ContainerDir(id, path, std::move(lock));
}

StateRecord read_state_record(const std::string& dir) {
  json j;
  try {
    j = json::parse(read_file(dir + "/state.json"));
  } catch (const json::exception& e) {
    throw Error("state of " + dir + " is corrupt: " + e.what());
  }
  StateRecord r;
  r.id = j.value("id", "");
  r.pid = j.value("pid", 0);
  r.pid_start_time = j.value("pidStartTime", uint64_t{0});
  r.bundle = j.value("bundle", "");
  r.rootfs = j.value("rootfs", "");
  r.created = j.value("created", "");
  r.owner = j.value("owner", "");
  r.ready = j.value("ready", false);
  r.cgroup = j.value("cgroup", "");
  if (j.contains("annotations")) j["annotations"].get_to(r.annotations);
  return r;
}

StateRecord ContainerDir::read() const { return read_state_record(path_); }

void ContainerDir::write(const StateRecord& r) const {
  json j = {{"id", r.id},           {"pid", r.pid},         {"pidStartTime", r.pid_start_time},
            {"bundle", r.bundle},   {"rootfs", r.rootfs},   {"created", r.created},
            {"owner", r.owner},     {"ready", r.ready},     {"annotations", r.annotations},
            {"cgroup", r.cgroup}};
  write_file_atomic(path_ + "/state.json", j.dump(), 0600);
}

void ContainerDir::remove() {
  remove_tree(path_);
  lock_.reset();
}

uint64_t process_start_time(pid_t pid) {
  std::string stat;
  try {
    stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  } catch (const Error&) {
    return 0;
  }
  // The command name may hold spaces and parentheses: fields are counted after the last ')'.
  auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  auto fields = split(stat.substr(close + 2), ' ');
  // fields[0] is field 3 (state); starttime is field 22.
  if (fields.size() < 20) return 0;
  if (fields[0] == "Z" || fields[0] == "X") return 0;  // exited, not yet reaped
  return std::stoull(fields[19]);
}

}  // namespace roost
