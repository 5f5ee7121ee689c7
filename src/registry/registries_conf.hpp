// registries.conf (containers-registries.conf(5), v2 TOML): unqualified-search-registries, and
// [[registry]] tables by prefix with location, insecure, blocked and mirrors. Read from
// $XDG_CONFIG_HOME/containers/registries.conf, else /etc/containers/registries.conf, plus the
// registries.conf.d drop-ins; CONTAINERS_REGISTRIES_CONF replaces the search.
#pragma once

#include <string>
#include <vector>

namespace roost::registry {

struct Endpoint {
  std::string location;   // the name to pull there: host[:port]/repository, rewritten by location
  bool insecure = false;  // TLS not verified, http allowed
  bool mirror = false;    // a mirror (errors fall through to the next endpoint)
};

struct RegistriesConf {
  std::vector<std::string> unqualified_search;
  // The endpoints to try for a normalised name ("docker.io/library/busybox"), mirrors first, in
  // order, then the registry itself (its location rewritten); throws roost::Error when blocked.
  std::vector<Endpoint> endpoints_for(const std::string& name, bool by_digest) const;

  struct Registry {
    std::string prefix, location;
    bool insecure = false, blocked = false;
    struct Mirror { std::string location; bool insecure = false; std::string pull_from_mirror = "all"; };
    std::vector<Mirror> mirrors;
  };
  std::vector<Registry> registries;
};

RegistriesConf load_registries_conf();
RegistriesConf parse_registries_conf(const std::string& toml_text);

}  // namespace roost::registry
