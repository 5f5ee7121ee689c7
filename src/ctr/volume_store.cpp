// Named volumes on disk (ctr/volume_store.hpp).
#include "ctr/volume_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "ctr/names.hpp"
#include "util/clock.hpp"
#include "util/dir_files.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/file_lock.hpp"

namespace roost::ctr {

namespace fs = std::filesystem;

namespace {

void check_volume_name(const std::string& name) {
  if (!is_valid_name(name))
    throw Error("invalid volume name \"" + name + "\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
}

nlohmann::json record_of(const VolumeInfo& v) {
  return {{"name", v.name},     {"driver", v.driver},   {"created_at", v.created_at},
          {"labels", v.labels}, {"options", v.options}, {"anonymous", v.anonymous}};
}

VolumeInfo info_from_record(const std::string& text, const std::string& name, const fs::path& dir) {
  VolumeInfo v;
  try {
    const auto j = nlohmann::json::parse(text);
    v.name = j.value("name", name);
    v.driver = j.value("driver", "local");
    v.created_at = j.value("created_at", "");
    v.labels = j.value("labels", std::map<std::string, std::string>{});
    v.options = j.value("options", std::map<std::string, std::string>{});
    v.anonymous = j.value("anonymous", false);
  } catch (const nlohmann::json::exception& e) {
    throw Error("the record of volume " + name + " is malformed: " + e.what());
  }
  v.name = name;  // the directory's name is the volume's
  v.mountpoint = (dir / name / "_data").string();
  return v;
}

}  // namespace

nlohmann::ordered_json volume_inspect_json(const VolumeInfo& v) {
  nlohmann::ordered_json j = {{"Name", v.name},           {"Driver", v.driver}, {"Mountpoint", v.mountpoint},
                              {"CreatedAt", v.created_at}, {"Labels", v.labels}, {"Scope", v.scope},
                              {"Options", v.options}};
  if (v.anonymous) j["Anonymous"] = true;  // podman leaves it out when false
  return j;
}

VolumeStore::VolumeStore(fs::path data_root) : dir_(std::move(data_root) / "volumes") {
  make_dirs(dir_.string(), 0700);
}

VolumeInfo VolumeStore::create(const std::string& requested, const std::map<std::string, std::string>& labels,
                               bool anonymous) {
  const std::string name = requested.empty() ? random_hex(32) : requested;
  check_volume_name(name);
  FileLock held = FileLock::acquire(dir_ / "volumes.lock");
  UniqueFd dir = open_dir(dir_);
  struct stat st;
  if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
    throw Error("volume with name " + name + " already exists: volume already exists");

  VolumeInfo v;
  v.name = name;
  v.created_at = now_rfc3339();
  v.labels = labels;
  v.anonymous = anonymous;
  v.mountpoint = (dir_ / name / "_data").string();
  // Made whole under a temporary name, then renamed: no reader sees a volume without its record.
  const std::string tmp = ".tmp-volume-" + random_suffix();
  const std::string where = "volume " + name;
  try {
    make_dir_at(dir.get(), tmp, 0700, where);
    UniqueFd vol = open_dir_at(dir.get(), tmp, where);
    make_dir_at(vol.get(), "_data", 0755, where + "/_data");
    write_file_durable(vol.get(), vol.get(), "volume.json", record_of(v).dump(2) + "\n", where + "/volume.json");
    if (::renameat(dir.get(), tmp.c_str(), dir.get(), name.c_str()) < 0) throw_errno("put " + where + " in place");
    fsync_fd(dir.get(), "the volumes directory");
  } catch (...) {
    try {
      remove_tree_at(dir.get(), tmp, (dir_ / tmp).string());
    } catch (const Error&) {
      // The first failure is the one to report.
    }
    throw;
  }
  return v;
}

VolumeInfo VolumeStore::ensure(const std::string& name) {
  if (auto v = find(name)) return *v;
  try {
    return create(name);
  } catch (const Error&) {
    if (auto v = find(name)) return *v;  // made by another process meanwhile
    throw;
  }
}

std::optional<VolumeInfo> VolumeStore::find(const std::string& name) const {
  if (!is_valid_name(name)) return std::nullopt;
  UniqueFd dir = open_dir(dir_);
  UniqueFd vol(::openat(dir.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!vol) {
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return std::nullopt;
    throw_errno("open volume " + name);
  }
  return info_from_record(read_file_at(vol.get(), "volume.json", (dir_ / name / "volume.json").string()), name, dir_);
}

VolumeInfo VolumeStore::inspect(const std::string& name) const {
  if (auto v = find(name)) return *v;
  throw Error("no volume with name \"" + name + "\" found: no such volume");
}

std::vector<VolumeInfo> VolumeStore::list() const {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_)) {
    const std::string n = e.path().filename().string();
    if (is_valid_name(n) && e.is_directory()) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  std::vector<VolumeInfo> out;
  for (const auto& n : names)
    if (auto v = find(n)) out.push_back(std::move(*v));
  return out;
}

void VolumeStore::remove(const std::string& name, const std::vector<std::string>& users) {
  FileLock held = FileLock::acquire(dir_ / "volumes.lock");
  if (!find(name)) throw Error("no volume with name \"" + name + "\" found: no such volume");
  if (!users.empty()) {
    std::string list;
    for (const auto& u : users) list += (list.empty() ? "" : ", ") + u;
    throw Error("volume " + name + " is being used by the following container(s): " + list + ": volume is being used");
  }
  UniqueFd dir = open_dir(dir_);
  const std::string gone = ".removing-" + name + "-" + random_suffix();
  if (::renameat(dir.get(), name.c_str(), dir.get(), gone.c_str()) < 0) throw_errno("move volume " + name + " out of place");
  remove_tree_at(dir.get(), gone, (dir_ / gone).string());
}

}  // namespace roost::ctr
