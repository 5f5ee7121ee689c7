// The image config's defaults under the user's flags (ctr/image_defaults.hpp).
#include "ctr/image_defaults.hpp"

#include <algorithm>

#include "util/error.hpp"

namespace roost::ctr {

namespace {

// image_config[key] as T; absent or null: std::nullopt; another type: an error naming the key.
template <typename T>
std::optional<T> image_field(const nlohmann::json& config, const char* key) {
  if (!config.is_object()) return std::nullopt;
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return std::nullopt;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(std::string("the image's config has a malformed ") + key);
  }
}

// The keys of an object of empty objects (ExposedPorts, Volumes).
std::vector<std::string> image_keys(const nlohmann::json& config, const char* key) {
  std::vector<std::string> out;
  if (!config.is_object()) return out;
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return out;
  if (!it->is_object()) throw Error(std::string("the image's config has a malformed ") + key);
  for (const auto& [k, v] : it->items()) out.push_back(k);
  return out;
}

std::string env_key(const std::string& entry) { return entry.substr(0, entry.find('=')); }

}  // namespace

std::vector<std::string> parse_entrypoint_flag(const std::string& value) {
  if (value.empty()) return {};
  if (value.front() == '[') {
    try {
      const auto parsed = nlohmann::json::parse(value);
      if (parsed.is_array() && std::all_of(parsed.begin(), parsed.end(), [](const auto& v) { return v.is_string(); }))
        return parsed.get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception&) {
      // Not JSON: one argument as written, as podman takes it.
    }
  }
  return {value};
}

std::vector<std::string> merge_env(const std::vector<std::string>& base, const std::vector<std::string>& overrides) {
  std::vector<std::string> out;
  auto put = [&](const std::string& entry) {
    const std::string key = env_key(entry);
    auto same = std::find_if(out.begin(), out.end(), [&](const std::string& e) { return env_key(e) == key; });
    if (same != out.end()) *same = entry;
    else out.push_back(entry);
  };
  for (const auto& e : base) put(e);
  for (const auto& e : overrides) put(e);
  return out;
}

void apply_image_config(ContainerConfig& config, const nlohmann::json& image, const ImageOverrides& overrides) {
  // The process: conversion.md's Entrypoint + Cmd, podman's rule for --entrypoint.
  std::vector<std::string> args;
  if (overrides.entrypoint) {
    args = *overrides.entrypoint;
    args.insert(args.end(), overrides.command.begin(), overrides.command.end());
  } else {
    args = image_field<std::vector<std::string>>(image, "Entrypoint").value_or(std::vector<std::string>{});
    const auto cmd = overrides.command.empty()
                         ? image_field<std::vector<std::string>>(image, "Cmd").value_or(std::vector<std::string>{})
                         : overrides.command;
    args.insert(args.end(), cmd.begin(), cmd.end());
  }
  if (args.empty()) throw Error("no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  config.args = std::move(args);

  std::vector<std::string> env =
      merge_env(image_field<std::vector<std::string>>(image, "Env").value_or(std::vector<std::string>{}), overrides.env);
  if (std::none_of(env.begin(), env.end(), [](const std::string& e) { return env_key(e) == "PATH"; }))
    env.insert(env.begin(), kDefaultPath);
  config.env = std::move(env);

  if (overrides.working_dir) {
    config.working_dir = *overrides.working_dir;
  } else {
    config.working_dir = image_field<std::string>(image, "WorkingDir").value_or("");
    config.create_working_dir = !config.working_dir.empty();
  }
  if (config.working_dir.empty()) config.working_dir = "/";

  config.user = overrides.user ? *overrides.user : image_field<std::string>(image, "User").value_or("");

  config.stop_signal_from_image = image_field<std::string>(image, "StopSignal").value_or("");
  if (overrides.stop_signal) config.stop_signal = *overrides.stop_signal;
  else if (!config.stop_signal_from_image.empty()) config.stop_signal = config.stop_signal_from_image;

  for (const auto& port : image_keys(image, "ExposedPorts"))
    if (std::find(config.exposed_ports.begin(), config.exposed_ports.end(), port) == config.exposed_ports.end())
      config.exposed_ports.push_back(port);

  const auto labels = image_field<std::map<std::string, std::string>>(image, "Labels");
  if (labels)
    for (const auto& [k, v] : *labels) config.labels.emplace(k, v);  // emplace keeps the user's

  for (const auto& dest : image_keys(image, "Volumes")) {
    if (dest.empty() || dest[0] != '/') continue;  // not a container path: podman ignores it too
    const bool covered = std::any_of(config.mounts.begin(), config.mounts.end(),
                                     [&](const MountRequest& m) { return m.destination == dest; });
    if (!covered) config.mounts.push_back(MountRequest{"volume", "", dest, {}, false});
  }
}

}  // namespace roost::ctr
