#include "registry/auth_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "registry/wire.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/process.hpp"
#include "util/unique_fd.hpp"

namespace roost::registry {

using nlohmann::json;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string home() { return env("HOME"); }

// The runtime auth file: where login writes and the first place lookups read.
std::string runtime_auth_file() {
  std::string xdg = env("XDG_RUNTIME_DIR");
  if (!xdg.empty()) return xdg + "/containers/auth.json";
  return "/run/containers/" + std::to_string(::getuid()) + "/auth.json";
}

struct AuthPath {
  std::string path;
  bool legacy = false;  // ~/.dockercfg: the registries at the top level, no "auths"
};

std::vector<AuthPath> auth_file_paths(const std::string& explicit_file) {
  if (!explicit_file.empty()) return {{explicit_file}};
  std::string from_env = env("REGISTRY_AUTH_FILE");
  if (!from_env.empty()) return {{from_env}};
  std::vector<AuthPath> paths{{runtime_auth_file()}};
  std::string config = env("XDG_CONFIG_HOME");
  if (config.empty() && !home().empty()) config = home() + "/.config";
  if (!config.empty()) paths.push_back({config + "/containers/auth.json"});
  std::string docker = env("DOCKER_CONFIG");
  if (!docker.empty()) {
    paths.push_back({docker + "/config.json"});
  } else if (!home().empty()) {
    paths.push_back({home() + "/.docker/config.json"});
  }
  if (!home().empty()) paths.push_back({home() + "/.dockercfg", true});
  return paths;
}

json read_auth_json(const std::string& path) {
  std::string text = read_file(path);
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error(path + ": not a JSON object");
  return j;
}

// "host[:port]/repo/path" -> "host[:port]".
std::string registry_of(const std::string& key) {
  size_t slash = key.find('/');
  return slash == std::string::npos ? key : key.substr(0, slash);
}

Credentials from_entry(const json& entry, const std::string& where) {
  Credentials c;
  if (!entry.is_object()) throw Error(where + ": not a JSON object");
  if (entry.contains("auth") && entry["auth"].is_string() && !entry["auth"].get<std::string>().empty()) {
    std::string decoded = base64_decode(entry["auth"].get<std::string>(), where + ": \"auth\"");
    size_t colon = decoded.find(':');
    if (colon == std::string::npos) throw Error(where + ": \"auth\" is not base64 of user:password");
    c.username = decoded.substr(0, colon);
    c.password = decoded.substr(colon + 1);
  }
  if (entry.contains("identitytoken") && entry["identitytoken"].is_string())
    c.identity_token = entry["identitytoken"].get<std::string>();
  return c;
}

// A docker-credential-NAME helper's answer for `registry`; nullopt when it has none.
std::optional<Credentials> run_credential_helper(const std::string& name, const std::string& registry) {
  std::string program = "docker-credential-" + name;
  UniqueFd out(::memfd_create("credential-helper", MFD_CLOEXEC));
  if (!out) throw_errno("memfd_create");
  ProgramSpec spec;
  spec.argv = {program, "get"};
  spec.input = registry;
  spec.capture_stderr = true;
  spec.stdout_fd = out.get();
  spec.timeout_seconds = 60;
  ProgramResult result;
  try {
    result = run_program(spec);
  } catch (const SysError& e) {
    throw Error("credential helper " + program + " for " + registry + ": " + e.what());
  }
  std::string output;
  ::lseek(out.get(), 0, SEEK_SET);
  char buf[4096];
  for (ssize_t n; (n = ::read(out.get(), buf, sizeof buf)) > 0;) output.append(buf, static_cast<size_t>(n));
  if (!result.succeeded()) {
    // The helpers' protocol: "credentials not found in native keychain" means none, not a failure.
    if (output.find("credentials not found") != std::string::npos ||
        result.error_output.find("credentials not found") != std::string::npos)
      return std::nullopt;
    std::string why = result.error_output.empty() ? output : result.error_output;
    while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
    throw Error("credential helper " + program + " for " + registry + " " + result.describe() +
                (why.empty() ? "" : ": " + why));
  }
  json j = json::parse(output, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("Username") || !j.contains("Secret") ||
      !j["Username"].is_string() || !j["Secret"].is_string())
    throw Error("credential helper " + program + " for " + registry + " answered no Username and Secret");
  Credentials c;
  if (j["Username"].get<std::string>() == "<token>") {
    c.identity_token = j["Secret"].get<std::string>();
  } else {
    c.username = j["Username"].get<std::string>();
    c.password = j["Secret"].get<std::string>();
  }
  return c;
}

std::optional<Credentials> lookup_in(const AuthPath& file, const std::string& key) {
  json j = read_auth_json(file.path);
  std::string registry = registry_of(key);
  if (!file.legacy) {
    if (j.contains("credHelpers") && j["credHelpers"].is_object()) {
      const json& helpers = j["credHelpers"];
      auto it = helpers.find(registry);
      if (it != helpers.end() && it->is_string()) return run_credential_helper(it->get<std::string>(), registry);
    }
  }
  const json* auths = &j;
  if (!file.legacy) auths = j.contains("auths") && j["auths"].is_object() ? &j["auths"] : nullptr;
  if (auths != nullptr) {
    // The longest namespace first: host/a/b, host/a, host (containers-auth.json(5)).
    std::string candidate = key;
    for (;;) {
      for (const auto& [k, entry] : auths->items()) {
        if (normalize_auth_key(k) != candidate) continue;
        Credentials c = from_entry(entry, file.path + ": \"" + k + "\"");
        if (!c.username.empty() || !c.identity_token.empty()) return c;
      }
      size_t slash = candidate.rfind('/');
      if (slash == std::string::npos) break;
      candidate.resize(slash);
    }
  }
  if (!file.legacy && j.contains("credsStore") && j["credsStore"].is_string() &&
      !j["credsStore"].get<std::string>().empty())
    return run_credential_helper(j["credsStore"].get<std::string>(), registry);
  return std::nullopt;
}

std::string writable_auth_file(const std::string& auth_file) {
  if (!auth_file.empty()) return auth_file;
  std::string from_env = env("REGISTRY_AUTH_FILE");
  if (!from_env.empty()) return from_env;
  return runtime_auth_file();
}

}  // namespace

std::string normalize_auth_key(const std::string& key) {
  std::string k = key;
  bool had_scheme = false;
  for (const char* scheme : {"https://", "http://"}) {
    if (starts_with(k, scheme)) {
      k = k.substr(std::char_traits<char>::length(scheme));
      had_scheme = true;
      break;
    }
  }
  // A URL key (Docker's "https://index.docker.io/v1/") names a registry, never a namespace.
  if (had_scheme) k = registry_of(k);
  while (!k.empty() && k.back() == '/') k.pop_back();
  std::string host = registry_of(k);
  if (host == "index.docker.io" || host == "registry-1.docker.io") k = "docker.io" + k.substr(host.size());
  return k;
}

std::vector<std::string> auth_file_search_order(const std::string& auth_file) {
  std::vector<std::string> out;
  for (const auto& p : auth_file_paths(auth_file)) out.push_back(p.path);
  return out;
}

std::optional<Credentials> lookup_credentials(const std::string& key, const std::string& auth_file) {
  std::string normalized = normalize_auth_key(key);
  for (const auto& file : auth_file_paths(auth_file)) {
    if (!path_exists(file.path)) continue;
    if (auto c = lookup_in(file, normalized)) return c;
  }
  return std::nullopt;
}

void store_credentials(const std::string& registry, const Credentials& credentials, const std::string& auth_file) {
  std::string path = writable_auth_file(auth_file);
  std::string key = normalize_auth_key(registry);
  if (key.empty()) throw Error("store credentials: no registry given");
  json j = path_exists(path) ? read_auth_json(path) : json::object();
  if (!j.contains("auths") || !j["auths"].is_object()) j["auths"] = json::object();
  // One entry per registry: an older spelling of the same key ("https://index.docker.io/v1/") goes.
  for (auto it = j["auths"].begin(); it != j["auths"].end();) {
    if (normalize_auth_key(it.key()) == key) {
      it = j["auths"].erase(it);
    } else {
      ++it;
    }
  }
  json entry = json::object();
  if (!credentials.username.empty())
    entry["auth"] = base64_encode(credentials.username + ":" + credentials.password);
  if (!credentials.identity_token.empty()) entry["identitytoken"] = credentials.identity_token;
  j["auths"][key] = entry;
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    std::string dir = path.substr(0, slash);
    if (!path_exists(dir)) {
      // Only the last directory is ours to make (containers/, 0700); its parent must exist.
      std::string parent = dir.substr(0, dir.rfind('/'));
      if (!parent.empty() && !path_exists(parent)) throw Error("store credentials in " + path + ": " + parent + " does not exist");
      make_dirs(dir, 0700);
    }
  }
  write_file_atomic(path, j.dump(1, '\t') + "\n", 0600);
}

bool remove_credentials(const std::string& registry, const std::string& auth_file) {
  std::string path = writable_auth_file(auth_file);
  if (!path_exists(path)) return false;
  std::string key = normalize_auth_key(registry);
  json j = read_auth_json(path);
  if (!j.contains("auths") || !j["auths"].is_object()) return false;
  bool removed = false;
  for (auto it = j["auths"].begin(); it != j["auths"].end();) {
    if (normalize_auth_key(it.key()) == key) {
      it = j["auths"].erase(it);
      removed = true;
    } else {
      ++it;
    }
  }
  if (removed) write_file_atomic(path, j.dump(1, '\t') + "\n", 0600);
  return removed;
}

}  // namespace roost::registry
