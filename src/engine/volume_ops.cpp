// Named volumes as podman's `volume` commands show them (engine/volume_ops.hpp).
#include "engine/volume_ops.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include "engine/table.hpp"
#include "engine/template.hpp"
#include "store/userns_session.hpp"
#include "util/error.hpp"

namespace roost::engine {
namespace {

std::pair<std::string, std::string> split_pair(const std::string& item) {
  const size_t eq = item.find('=');
  if (eq == std::string::npos) return {item, ""};
  return {item.substr(0, eq), item.substr(eq + 1)};
}

bool in_use_error(const std::string& what) { return what.ends_with("volume is being used"); }

}  // namespace

std::map<std::string, std::string> parse_volume_labels(const std::vector<std::string>& labels) {
  std::map<std::string, std::string> out;
  for (const std::string& label : labels) {
    auto [key, value] = split_pair(label);
    if (key.empty()) throw Error("invalid label \"" + label + "\": a label needs a key");
    out[key] = value;
  }
  return out;
}

void check_volume_opts(const std::vector<std::string>& opts) {
  static const std::set<std::string> kKnown = {"type", "o",    "device", "UID",  "GID",
                                               "size", "inodes", "copy", "nocopy", "noquota"};
  for (const std::string& opt : opts) {
    const std::string key = split_pair(opt).first;
    if (!kKnown.contains(key)) throw Error("invalid mount option " + key + " for driver 'local': invalid argument");
    throw Error("volume option " + key + " is not supported by roost yet: invalid argument");
  }
}

VolumeFilter::VolumeFilter(const std::vector<std::string>& filters) {
  for (const std::string& filter : filters) {
    auto [key, value] = split_pair(filter);
    if (filter.find('=') == std::string::npos) throw Error("invalid filter \"" + filter + "\": want KEY=VALUE");
    if (key != "name" && key != "label" && key != "driver")
      throw Error("\"" + key + "\" is an invalid volume filter (roost knows name, label and driver)");
    if (key == "name") {
      try {
        std::regex check(value);
      } catch (const std::regex_error& e) {
        throw Error("invalid filter name=" + value + ": " + e.what());
      }
    }
    by_key_[key].push_back(value);
  }
}

bool VolumeFilter::matches(const ctr::VolumeInfo& volume) const {
  for (const auto& entry : by_key_) {
    // Not a structured binding: clang before 16 (the fuzz and sanitize builds) cannot capture one.
    const std::string& key = entry.first;
    const auto& values = entry.second;
    const bool any = std::any_of(values.begin(), values.end(), [&](const std::string& value) {
      if (key == "name") return std::regex_search(volume.name, std::regex(value));
      if (key == "driver") return volume.driver == value;
      // label=K matches any value of K; label=K=V that value alone.
      auto [k, v] = split_pair(value);
      const auto it = volume.labels.find(k);
      if (it == volume.labels.end()) return false;
      return value.find('=') == std::string::npos || it->second == v;
    });
    if (!any) return false;
  }
  return true;
}

std::string volume_list_output(const std::vector<ctr::VolumeInfo>& volumes, bool quiet, const std::string& format) {
  std::string out;
  if (quiet) {
    for (const auto& v : volumes) out += v.name + "\n";
    return out;
  }
  if (format == "json") {
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const auto& v : volumes) array.push_back(ctr::volume_inspect_json(v));
    return array.dump(4) + "\n";
  }
  if (!format.empty()) {
    const Template tmpl(format);
    for (const auto& v : volumes) out += tmpl.render(nlohmann::json(ctr::volume_inspect_json(v)));
    return out;
  }
  std::vector<std::vector<std::string>> rows = {{"DRIVER", "VOLUME NAME"}};
  for (const auto& v : volumes) rows.push_back({v.driver, v.name});
  return format_table(rows);
}

std::string volume_inspect_output(const std::vector<ctr::VolumeInfo>& volumes, const std::string& format) {
  if (!format.empty() && format != "json") {
    const Template tmpl(format);
    std::string out;
    for (const auto& v : volumes) out += tmpl.render(nlohmann::json(ctr::volume_inspect_json(v)));
    return out;
  }
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const auto& v : volumes) array.push_back(ctr::volume_inspect_json(v));
  return array.dump(5) + "\n";
}

VolumeBatchResult remove_volumes(ctr::ContainerStore& containers, const std::vector<std::string>& names, bool force,
                                 const RemoveContainerFn& remove_container) {
  // The data of a volume a container wrote belongs to subordinate ids: only the user's user
  // namespace may unlink it.
  store::enter_user_namespace();
  ctr::VolumeStore volumes(containers.data_root());
  VolumeBatchResult result;
  for (const std::string& name : names) {
    try {
      if (!volumes.find(name)) {
        if (force) continue;  // podman: -f ignores a missing volume
        throw Error("no volume with name \"" + name + "\" found: no such volume");
      }
      std::vector<std::string> users = containers.volume_users(name);
      if (force && !users.empty()) {
        if (!remove_container)
          throw Error("volume " + name + " is used by container(s) and roost cannot remove containers here");
        for (const std::string& id : users) remove_container(containers, id);
        users = containers.volume_users(name);
      }
      volumes.remove(name, users);
      result.output += name + "\n";
    } catch (const Error& e) {
      const std::string what = e.what();
      result.errors.push_back(what);
      // podman's codes: 1 no such volume, 2 in use, 125 anything else; the last one wins.
      result.exit_code = what.ends_with("no such volume") ? 1 : in_use_error(what) ? 2 : 125;
    }
  }
  return result;
}

VolumeBatchResult prune_volumes(ctr::ContainerStore& containers, const VolumeFilter& filter) {
  store::enter_user_namespace();
  ctr::VolumeStore volumes(containers.data_root());
  VolumeBatchResult result;
  for (const ctr::VolumeInfo& v : volumes.list()) {
    if (!filter.matches(v)) continue;
    try {
      const std::vector<std::string> users = containers.volume_users(v.name);
      if (!users.empty()) continue;
      volumes.remove(v.name, users);
      result.output += v.name + "\n";
    } catch (const Error& e) {
      result.errors.push_back(e.what());
      result.exit_code = 125;
    }
  }
  return result;
}

}  // namespace roost::engine
