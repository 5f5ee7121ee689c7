// `roost volume create|ls|inspect|rm|prune`: named volumes (ctr/volume_store) as podman's local
// driver shows them. The pure parts (options, filters, the outputs) are separate functions so that
// they can be tested without a store.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ctr/container_store.hpp"
#include "ctr/volume_store.hpp"

namespace roost::engine {

// --label K=V (or K alone, an empty value) into a map; a later K wins.
std::map<std::string, std::string> parse_volume_labels(const std::vector<std::string>& labels);

// --opt KEY=VALUE: podman's local driver knows type, o, device, UID, GID, size, inodes, copy,
// nocopy, noquota. roost honours none of them yet, so each is refused rather than recorded and
// ignored: an unknown one in podman's words ("invalid mount option KEY for driver 'local': invalid
// argument"), a known one saying roost lacks it.
void check_volume_opts(const std::vector<std::string>& opts);

// --filter KEY=VALUE for `volume ls`/`prune`: name=REGEX (matched anywhere, as podman's), label=K
// or label=K=V, driver=local. Values of one key are ORed, different keys ANDed (podman's rule).
class VolumeFilter {
 public:
  // roost::Error for an unknown key or a malformed filter.
  explicit VolumeFilter(const std::vector<std::string>& filters);
  bool matches(const ctr::VolumeInfo& volume) const;

 private:
  std::map<std::string, std::vector<std::string>> by_key_;
};

// `volume ls`'s output: podman's table (DRIVER, VOLUME NAME), -q the names alone, --format json
// (an array of inspect's objects, four spaces) or a Go template per volume ({{.Name}}, ...).
std::string volume_list_output(const std::vector<ctr::VolumeInfo>& volumes, bool quiet, const std::string& format);

// `volume inspect`'s output: an array of inspect objects as podman prints it (five spaces), or a
// Go template per volume.
std::string volume_inspect_output(const std::vector<ctr::VolumeInfo>& volumes, const std::string& format);

// The outcome of a command over several names: what to print, the errors (one line each, printed
// as "Error: ..."), and podman's exit code.
struct VolumeBatchResult {
  std::string output;
  std::vector<std::string> errors;
  int exit_code = 0;
};

// Removes a container that uses a volume (`volume rm -f`): the engine's container removal.
using RemoveContainerFn = std::function<void(ctr::ContainerStore&, const std::string& id)>;

// `volume rm [-f] NAME...`, inside the user's user namespace (a volume a container wrote holds
// files of subordinate ids). A volume in use is refused with podman's words (exit 2) unless
// force, which removes its containers first through remove_container (refused too when that is
// empty); a missing volume: exit 1, or nothing with force (podman's). Prints each removed name.
VolumeBatchResult remove_volumes(ctr::ContainerStore& containers, const std::vector<std::string>& names, bool force,
                                 const RemoveContainerFn& remove_container);

// `volume prune`: every volume no container uses (matching the filters) goes; prints their names.
VolumeBatchResult prune_volumes(ctr::ContainerStore& containers, const VolumeFilter& filter);

}  // namespace roost::engine
