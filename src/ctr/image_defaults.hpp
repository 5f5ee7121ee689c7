// The image's config applied to a container's config, as image-spec's conversion.md and podman
// do it: the user's flags win, the image fills in the rest. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ctr/container.hpp"

namespace roost::ctr {

// What the user gave on the command line, so the image's value applies only where nothing was.
struct ImageOverrides {
  std::optional<std::vector<std::string>> entrypoint;  // --entrypoint (parse_entrypoint_flag); {} clears it
  std::vector<std::string> command;                    // the args after the image; empty: the image's Cmd
  std::vector<std::string> env;                        // --env-file entries, then -e, resolved ("K=V")
  std::optional<std::string> user;                     // -u
  std::optional<std::string> working_dir;              // -w
  std::optional<std::string> stop_signal;              // --stop-signal
};

// The PATH a container gets when its image sets none (podman's and Docker's).
inline constexpr const char* kDefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// --entrypoint's value: a JSON array of strings ('["sh","-c"]') is the argv; anything else is one
// argument as written ("sh -c" is a program named "sh -c", as podman runs it); "" is none.
std::vector<std::string> parse_entrypoint_flag(const std::string& value);

// Fills config.args, env, working_dir, user, stop_signal, stop_signal_from_image, exposed_ports,
// labels and mounts (the image's Volumes, as anonymous volumes where no mount of the user's has
// that destination) from the image's "config" object (null or absent keys are fine) and the
// overrides:
// - args: --entrypoint given: it + command (the image's Cmd is dropped); else the image's
//   Entrypoint + (command, or the image's Cmd when command is empty). None at all:
//   roost::Error "no command or entrypoint provided, and no CMD or ENTRYPOINT from image".
// - env: the image's, then overrides.env, one entry per key (a later value replaces the earlier
//   one in its place); PATH=kDefaultPath first when neither sets PATH.
// - working_dir: -w, else the image's WorkingDir, else "/". user: -u, else the image's User.
// - labels: the image's under config.labels (the user's win). exposed_ports: the image's
//   ExposedPorts keys added to config.exposed_ports (no duplicates).
// A malformed image config (a wrongly typed key) is a roost::Error naming the key.
void apply_image_config(ContainerConfig& config, const nlohmann::json& image_config_object,
                        const ImageOverrides& overrides);

// Merges "K=V" entries by key: a later entry replaces an earlier one of the same key in place.
std::vector<std::string> merge_env(const std::vector<std::string>& base, const std::vector<std::string>& overrides);

}  // namespace roost::ctr
