// Credentials files as containers/image reads them: REGISTRY_AUTH_FILE or --authfile alone when
// given; else $XDG_RUNTIME_DIR/containers/auth.json, $XDG_CONFIG_HOME/containers/auth.json,
// $DOCKER_CONFIG/config.json (~/.docker/config.json), ~/.dockercfg, first match wins; keys
// "host[:port][/namespace...]" (the longest matching namespace first), "https://index.docker.io/v1/"
// for docker.io; "credHelpers"/"credsStore" run docker-credential-NAME get.
#pragma once

#include <optional>
#include <string>

#include "registry/registry_client.hpp"

namespace roost::registry {

// `key` is "host[:port]/repository/path"; returns the first credentials found.
std::optional<Credentials> lookup_credentials(const std::string& key, const std::string& auth_file = {});
// login: writes ${XDG_RUNTIME_DIR}/containers/auth.json (or `auth_file`), mode 0600, atomically.
void store_credentials(const std::string& registry, const Credentials& credentials, const std::string& auth_file = {});
// logout: false when there was nothing stored for it.
bool remove_credentials(const std::string& registry, const std::string& auth_file = {});

}  // namespace roost::registry
