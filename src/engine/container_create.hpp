// `roost create` (and the first half of `roost run`): the image found or pulled as --pull says,
// run's flags parsed (ctr/run_flags), the image's config applied (ctr/image_defaults), and the
// record stored under a unique name (ctr::ContainerStore::create). Nothing runs yet.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ctr/container.hpp"
#include "ctr/container_store.hpp"
#include "engine/context.hpp"

namespace roost::engine {

// The flags of `roost create`/`run` as typed (issue 13's list), before any parsing.
struct CreateRequest {
  std::string image;
  std::vector<std::string> command;          // CMD [ARGS...] after the image
  std::string name;
  std::optional<std::string> entrypoint;     // --entrypoint ("" clears the image's)
  std::vector<std::string> publish;          // -p
  bool publish_all = false;                  // -P
  std::vector<std::string> volumes, mounts, tmpfs;  // -v, --mount, --tmpfs
  std::vector<std::string> env, env_files;   // -e, --env-file
  std::optional<std::string> workdir, user;  // -w, -u
  std::string network = "slirp4netns";
  std::string hostname;
  std::vector<std::string> add_hosts, dns;
  bool read_only = false, privileged = false, init = false, tty = false, interactive = false, auto_remove = false;
  std::vector<std::string> cap_add, cap_drop;
  std::vector<std::string> security_opts;    // seccomp=FILE|unconfined, no-new-privileges
  std::string memory, cpus;
  int64_t pids_limit = 0;
  std::string restart;
  std::string pull = "missing";              // missing, always, never
  std::string stop_signal;
  std::optional<int> stop_timeout;
  std::vector<std::string> labels;           // KEY=VALUE
  std::string userns;
  std::vector<std::string> uid_maps, gid_maps;
  std::filesystem::path cwd;                 // relative -v sources are made absolute from here
  const char* const* host_env = nullptr;     // -e KEY takes KEY's value from here
};

// The flags' own checks and translations into a config, before the image is applied (pure,
// unit-tested): podman's refusals, one line each. The image fields (args, env, ...) are filled by
// create_container.
ctr::ContainerConfig config_from_request(const CreateRequest& request);

// Creates the container and returns its record (id, name, ...). Enters the user namespace (the
// image store lives in it): single-threaded callers. A pull prints its progress on stderr.
ctr::ContainerConfig create_container(const GlobalOptions& global, ctr::ContainerStore& containers,
                                      const CreateRequest& request);

}  // namespace roost::engine
