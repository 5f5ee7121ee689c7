// Named volumes (podman's local driver): data_root/volumes/<name>/_data holds the files,
// volume.json the record. The set of volumes changes under volumes/volumes.lock; a volume
// appears whole (made under a temporary name and renamed into place) and goes by a rename
// then an fd walk that never follows a symlink.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace roost::ctr {

struct VolumeInfo {
  std::string name;
  std::string driver = "local";
  std::string mountpoint;                      // the _data directory
  std::string created_at;                      // RFC 3339
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> options;  // the local driver's; always empty for now
  std::string scope = "local";
  bool anonymous = false;                      // made for -v DST or an image's Volumes
};

// podman's `volume inspect` object: Name, Driver, Mountpoint, CreatedAt, Labels, Scope, Options,
// and Anonymous when true.
nlohmann::ordered_json volume_inspect_json(const VolumeInfo& v);

class VolumeStore {
 public:
  // Makes data_root/volumes (0700) when missing.
  explicit VolumeStore(std::filesystem::path data_root);

  // name "" gets 64 random hex digits, as podman's anonymous volumes. A name in use:
  // roost::Error "volume with name NAME already exists: volume already exists" (podman's).
  VolumeInfo create(const std::string& name = "", const std::map<std::string, std::string>& labels = {},
                    bool anonymous = false);
  // The volume, created when missing (what -v NAME:/dst does).
  VolumeInfo ensure(const std::string& name);
  std::optional<VolumeInfo> find(const std::string& name) const;
  // roost::Error "no volume with name \"NAME\" found: no such volume" (podman's) when missing.
  VolumeInfo inspect(const std::string& name) const;
  std::vector<VolumeInfo> list() const;  // by name
  // Refused while containers use it (users: their ids or names, given by the engine): podman's
  // "volume NAME is being used by the following container(s): ID: volume is being used". A
  // missing volume: inspect's error.
  void remove(const std::string& name, const std::vector<std::string>& users);

  std::filesystem::path dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace roost::ctr
