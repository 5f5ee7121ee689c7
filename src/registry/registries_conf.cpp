// toml++ is used header-only, compiled in this file alone (the only one that parses TOML).
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "registry/registries_conf.hpp"

#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::registry {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string host_of(const std::string& name) {
  size_t slash = name.find('/');
  return slash == std::string::npos ? name : name.substr(0, slash);
}

bool is_wildcard(const std::string& prefix) { return starts_with(prefix, "*."); }

// How well `prefix` matches `name`: its length, or -1. A prefix matches whole components only
// ("quay.io/a" matches "quay.io/a/b", never "quay.io/ab"); "*.example.com" matches any host
// below example.com (containers-registries.conf(5)).
long match_length(const std::string& prefix, const std::string& name) {
  if (is_wildcard(prefix)) {
    std::string host = host_of(name);
    std::string suffix = prefix.substr(1);  // ".example.com"
    if (host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0)
      return static_cast<long>(prefix.size());
    return -1;
  }
  if (!starts_with(name, prefix)) return -1;
  if (name.size() == prefix.size()) return static_cast<long>(prefix.size());
  char next = name[prefix.size()];
  if (next == '/' || next == ':' || next == '@') return static_cast<long>(prefix.size());
  return -1;
}

std::string rewrite(const std::string& name, const std::string& prefix, const std::string& location) {
  if (location.empty()) return name;
  if (is_wildcard(prefix)) return location + name.substr(host_of(name).size());
  return location + name.substr(prefix.size());
}

template <typename T>
T get_or(const toml::table& t, const char* key, T fallback, const std::string& where) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return fallback;
  auto v = n->value<T>();
  if (!v) throw Error(where + ": \"" + key + "\" has the wrong type");
  return *v;
}

std::string check_pull_from_mirror(const std::string& value, const std::string& where) {
  if (value == "all" || value == "digest-only" || value == "tag-only") return value;
  throw Error(where + ": pull-from-mirror must be all, digest-only or tag-only, not \"" + value + "\"");
}

// One file's contents merged into `conf`: a later file's search list replaces the earlier one,
// its [[registry]] tables replace those of the same prefix (as the drop-ins of the man page).
void merge(RegistriesConf& conf, const std::string& text, const std::string& where) {
  toml::table root;
  try {
    root = toml::parse(text, where);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << where << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
    throw Error(msg.str());
  }
  if (root.contains("registries"))
    throw Error(where + ": the version 1 format ([registries.search]) is not supported; use version 2");
  if (const toml::node* search = root.get("unqualified-search-registries")) {
    const toml::array* list = search->as_array();
    if (list == nullptr) throw Error(where + ": unqualified-search-registries must be an array of strings");
    conf.unqualified_search.clear();
    for (const auto& item : *list) {
      auto s = item.value<std::string>();
      if (!s) throw Error(where + ": unqualified-search-registries must be an array of strings");
      conf.unqualified_search.push_back(*s);
    }
  }
  const toml::node* regs = root.get("registry");
  if (regs == nullptr) return;
  const toml::array* list = regs->as_array();
  if (list == nullptr) throw Error(where + ": \"registry\" must be an array of tables ([[registry]])");
  for (const auto& item : *list) {
    const toml::table* t = item.as_table();
    if (t == nullptr) throw Error(where + ": \"registry\" must be an array of tables ([[registry]])");
    RegistriesConf::Registry r;
    r.location = get_or<std::string>(*t, "location", "", where);
    r.prefix = get_or<std::string>(*t, "prefix", "", where);
    if (r.prefix.empty()) r.prefix = r.location;
    if (r.prefix.empty()) throw Error(where + ": a [[registry]] table has neither prefix nor location");
    std::string what = where + ": registry " + r.prefix;
    if (is_wildcard(r.prefix) && r.prefix.find('/') != std::string::npos)
      throw Error(what + ": a wildcard prefix names hosts only (\"*.example.com\")");
    r.insecure = get_or<bool>(*t, "insecure", false, what);
    r.blocked = get_or<bool>(*t, "blocked", false, what);
    bool digest_only = get_or<bool>(*t, "mirror-by-digest-only", false, what);
    if (const toml::node* mirrors = t->get("mirror")) {
      const toml::array* ml = mirrors->as_array();
      if (ml == nullptr) throw Error(what + ": \"mirror\" must be an array of tables ([[registry.mirror]])");
      for (const auto& m : *ml) {
        const toml::table* mt = m.as_table();
        if (mt == nullptr) throw Error(what + ": \"mirror\" must be an array of tables ([[registry.mirror]])");
        RegistriesConf::Registry::Mirror mirror;
        mirror.location = get_or<std::string>(*mt, "location", "", what);
        if (mirror.location.empty()) throw Error(what + ": a mirror has no location");
        mirror.insecure = get_or<bool>(*mt, "insecure", false, what);
        mirror.pull_from_mirror =
            check_pull_from_mirror(get_or<std::string>(*mt, "pull-from-mirror", "all", what), what);
        // mirror-by-digest-only is the older switch for every mirror of the registry at once.
        if (digest_only && mirror.pull_from_mirror == "all") mirror.pull_from_mirror = "digest-only";
        r.mirrors.push_back(std::move(mirror));
      }
    }
    auto same = std::find_if(conf.registries.begin(), conf.registries.end(),
                             [&](const RegistriesConf::Registry& o) { return o.prefix == r.prefix; });
    if (same != conf.registries.end()) {
      *same = std::move(r);
    } else {
      conf.registries.push_back(std::move(r));
    }
  }
}

std::vector<std::string> drop_ins(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n.compare(n.size() - 5, 5, ".conf") == 0) out.push_back(dir + "/" + n);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<Endpoint> RegistriesConf::endpoints_for(const std::string& name, bool by_digest) const {
  const Registry* best = nullptr;
  long best_len = -1;
  for (const auto& r : registries) {
    long len = match_length(r.prefix, name);
    if (len > best_len) {
      best_len = len;
      best = &r;
    }
  }
  if (best == nullptr) return {Endpoint{name, false, false}};
  if (best->blocked) throw Error("registry " + name + " is blocked in registries.conf");
  std::vector<Endpoint> out;
  for (const auto& m : best->mirrors) {
    if (m.pull_from_mirror == "digest-only" && !by_digest) continue;
    if (m.pull_from_mirror == "tag-only" && by_digest) continue;
    out.push_back(Endpoint{rewrite(name, best->prefix, m.location), m.insecure, true});
  }
  out.push_back(Endpoint{rewrite(name, best->prefix, best->location), best->insecure, false});
  return out;
}

RegistriesConf parse_registries_conf(const std::string& toml_text) {
  RegistriesConf conf;
  merge(conf, toml_text, "registries.conf");
  return conf;
}

RegistriesConf load_registries_conf() {
  RegistriesConf conf;
  std::string forced = env("CONTAINERS_REGISTRIES_CONF");
  if (!forced.empty()) {
    merge(conf, read_file(forced), forced);
    return conf;
  }
  std::string config = env("XDG_CONFIG_HOME");
  if (config.empty() && !env("HOME").empty()) config = env("HOME") + "/.config";
  std::string user = config.empty() ? "" : config + "/containers/registries.conf";
  std::string main = !user.empty() && path_exists(user) ? user : "/etc/containers/registries.conf";
  if (path_exists(main)) merge(conf, read_file(main), main);
  // Drop-ins: the system's, then the user's, each directory in name order.
  std::vector<std::string> dirs{"/etc/containers/registries.conf.d"};
  if (!config.empty()) dirs.push_back(config + "/containers/registries.conf.d");
  for (const auto& dir : dirs)
    for (const auto& file : drop_ins(dir)) merge(conf, read_file(file), file);
  return conf;
}

}  // namespace roost::registry
