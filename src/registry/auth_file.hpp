// Credentials files as containers/image reads them: REGISTRY_AUTH_FILE or --authfile alone when
// given; else $XDG_RUNTIME_DIR/containers/auth.json, $XDG_CONFIG_HOME/containers/auth.json,
// $DOCKER_CONFIG/config.json (~/.docker/config.json), ~/.dockercfg, first match wins; keys
// "host[:port][/namespace...]" (the longest matching namespace first), "https://index.docker.io/v1/"
// for docker.io; "credHelpers"/"credsStore" run docker-credential-NAME get.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "registry/registry_client.hpp"

namespace roost::registry {

// The files looked at, in order (the explicit file alone when there is one).
std::vector<std::string> auth_file_search_order(const std::string& auth_file = {});
// An auths key as containers/image compares it: a URL ("https://index.docker.io/v1/",
// "http://host:5000/v2/") names its host only; index.docker.io and registry-1.docker.io are
// docker.io; trailing slashes go. "host/ns" stays a namespace.
std::string normalize_auth_key(const std::string& key);
// `key` is "host[:port]/repository/path"; returns the first credentials found.
std::optional<Credentials> lookup_credentials(const std::string& key, const std::string& auth_file = {});
// login: writes ${XDG_RUNTIME_DIR}/containers/auth.json (or `auth_file`), mode 0600, atomically.
void store_credentials(const std::string& registry, const Credentials& credentials, const std::string& auth_file = {});
// logout: false when there was nothing stored for it.
bool remove_credentials(const std::string& registry, const std::string& auth_file = {});

}  // namespace roost::registry
