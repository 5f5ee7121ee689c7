// `roost login` and `roost logout`: credentials checked against the registry (GET /v2/ with them)
// before they are written to the auth file (registry/auth_file), as podman does.
#pragma once

#include <string>

#include "registry/registry_client.hpp"

namespace roost::engine {

struct LoginOptions {
  bool tls_verify = true;
  std::string auth_file;
  std::string cert_dir;
};

// Throws roost::Error with the registry's words when it refuses them; nothing is written then.
void login(const std::string& registry, const registry::Credentials& credentials, const LoginOptions& options);
// Throws "not logged into REGISTRY" when nothing was stored for it.
void logout(const std::string& registry, const std::string& auth_file);
// Every registry of the auth file; returns how many were removed.
int logout_all(const std::string& auth_file);

}  // namespace roost::engine
