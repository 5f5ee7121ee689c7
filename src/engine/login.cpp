#include "engine/login.hpp"

#include <nlohmann/json.hpp>

#include "registry/auth_file.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::engine {

void login(const std::string& registry, const registry::Credentials& credentials, const LoginOptions& options) {
  const std::string key = registry::normalize_auth_key(registry);
  if (key.empty()) throw Error("login: no registry given");
  const std::string host = key.substr(0, key.find('/'));
  registry::ClientOptions co;
  co.tls_verify = options.tls_verify;
  co.auth_file = options.auth_file;
  co.cert_dir = options.cert_dir;
  co.credentials = credentials;
  registry::RegistryClient client(host == "docker.io" ? "registry-1.docker.io" : host, "", co);
  client.check_login();
  registry::store_credentials(key, credentials, options.auth_file);
}

void logout(const std::string& registry, const std::string& auth_file) {
  if (!registry::remove_credentials(registry, auth_file))
    throw Error("not logged into " + registry::normalize_auth_key(registry));
}

int logout_all(const std::string& auth_file) {
  const std::vector<std::string> files = registry::auth_file_search_order(auth_file);
  if (files.empty() || !path_exists(files.front())) return 0;
  // The first file of the search is the one login writes (the explicit one when given).
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(files.front()));
  } catch (const nlohmann::json::exception& e) {
    throw Error(files.front() + ": " + e.what());
  }
  int removed = 0;
  if (j.contains("auths") && j["auths"].is_object()) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : j["auths"].items()) keys.push_back(k);
    for (const auto& k : keys) removed += registry::remove_credentials(k, files.front()) ? 1 : 0;
  }
  return removed;
}

}  // namespace roost::engine
