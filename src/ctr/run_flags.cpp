// run's flags as podman 4.3 parses them (pkg/specgenutil and containers/common's parse package
// describe the rules; the error words were checked against Debian's podman 4.3.1).
#include "ctr/run_flags.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <optional>

#include "util/error.hpp"

namespace roost::ctr {

namespace {

std::vector<std::string> split_on(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Go's strconv.Atoi, with its error words.
int atoi_go(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  bool ok = i < s.size() && s.size() - i <= 9;
  for (size_t k = i; ok && k < s.size(); ++k) ok = std::isdigit(static_cast<unsigned char>(s[k]));
  if (!ok) throw Error("strconv.Atoi: parsing \"" + s + "\": invalid syntax");
  return std::stoi(s);
}

// An IP address as Go's net.ParseIP accepts it, in its canonical text; "" when it is none.
std::string canonical_ip(const std::string& text) {
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (::inet_pton(AF_INET, text.c_str(), buf) == 1) return ::inet_ntop(AF_INET, buf, out, sizeof out);
  if (::inet_pton(AF_INET6, text.c_str(), buf) == 1) return ::inet_ntop(AF_INET6, buf, out, sizeof out);
  return "";
}

int parse_port_number(const std::string& text) {
  int n;
  try {
    n = atoi_go(text);
  } catch (const Error& e) {
    throw Error(std::string("invalid port number: ") + e.what());
  }
  if (n < 1 || n > 65535)
    throw Error("port numbers must be between 1 and 65535 (inclusive), got " + std::to_string(n));
  return n;
}

// "80" or "80-81": the first port and how many.
std::pair<int, int> parse_port_range(const std::string& text) {
  const auto parts = split_on(text, '-');
  if (parts.size() > 2) throw Error("invalid port format - port ranges are formatted as startPort-stopPort");
  if (parts[0].empty()) throw Error("port numbers cannot be negative");
  const int start = parse_port_number(parts[0]);
  if (parts.size() == 1) return {start, 1};
  if (parts[1].empty()) throw Error("must provide ending number for port range");
  const int end = parse_port_number(parts[1]);
  if (end <= start)
    throw Error("the end port of a range must be higher than the start port - " + std::to_string(end) +
                " is not higher than " + std::to_string(start));
  return {start, end - start + 1};
}

template <typename F>
auto prefixed(const char* prefix, F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    throw Error(std::string(prefix) + e.what());
  }
}

std::string absolute_clean(const std::string& path, const std::filesystem::path& cwd) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = cwd / p;
  std::string out = p.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string container_path(const std::string& dest) {
  if (dest.empty() || dest[0] != '/') throw Error("invalid container path \"" + dest + "\", must be an absolute path");
  return absolute_clean(dest, "/");
}

// Mount flags every kind of request accepts (podman passes them on to the runtime).
constexpr std::string_view kMountFlags[] = {
    "suid",   "nosuid",   "dev",      "nodev",       "exec",    "noexec", "atime", "noatime",
    "relatime", "norelatime", "strictatime", "nostrictatime", "diratime", "nodiratime", "sync", "async",
    "dirsync", "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable",
};

bool is_mount_flag(std::string_view opt) {
  return std::find(std::begin(kMountFlags), std::end(kMountFlags), opt) != std::end(kMountFlags);
}

bool is_propagation(std::string_view opt) {
  static constexpr std::string_view kinds[] = {"private", "rprivate", "shared", "rshared",
                                               "slave",   "rslave",   "unbindable", "runbindable"};
  return std::find(std::begin(kinds), std::end(kinds), opt) != std::end(kinds);
}

// -v's options as containers/common's ValidateVolumeOpts checks them: known names, and at most
// one of each group.
void check_volume_options(const std::vector<std::string>& options) {
  struct Group {
    std::vector<std::string_view> members;
    const char* words;
  };
  const Group groups[] = {
      {{"rw", "ro"}, "1 'rw' or 'ro' option"},
      {{"z", "Z", "O"}, "1 'z', 'Z', or 'O' option"},
      {{"U"}, "1 'U' option"},
      {{"exec", "noexec"}, "1 'exec' or 'noexec' option"},
      {{"suid", "nosuid"}, "1 'suid' or 'nosuid' option"},
      {{"dev", "nodev"}, "1 'dev' or 'nodev' option"},
      {{"bind", "rbind"}, "1 'rbind' or 'bind' option"},
      {{"copy", "nocopy"}, "1 'copy' or 'nocopy' option"},
      {{"private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable"},
       "1 '[r]shared', '[r]private', '[r]slave' or '[r]unbindable' option"},
  };
  for (const auto& opt : options) {
    if (opt == "O") throw Error("overlay volumes (option \"O\") are not supported by roost");
    bool known = false;
    for (const auto& g : groups)
      if (std::find(g.members.begin(), g.members.end(), opt) != g.members.end()) known = true;
    if (!known) throw Error("invalid option type \"" + opt + "\"");
  }
  for (const auto& g : groups) {
    int n = 0;
    for (const auto& opt : options)
      if (std::find(g.members.begin(), g.members.end(), opt) != g.members.end()) ++n;
    if (n > 1) throw Error("invalid options \"" + join(options, ", ") + "\", can only specify " + g.words);
  }
}

bool parse_go_bool(const std::string& value, const std::string& key) {
  if (value == "1" || value == "t" || value == "T" || value == "true" || value == "TRUE" || value == "True")
    return true;
  if (value == "0" || value == "f" || value == "F" || value == "false" || value == "FALSE" || value == "False")
    return false;
  throw Error("invalid value for " + key + ": \"" + value + "\"");
}

// tmpfs data options with a value, as the kernel's tmpfs takes them.
bool is_tmpfs_value_option(const std::string& opt) {
  for (const char* key : {"size=", "mode=", "nr_inodes=", "nr_blocks=", "uid=", "gid="})
    if (opt.rfind(key, 0) == 0) return true;
  return false;
}

// podman's defaults for a tmpfs: nosuid and nodev unless told otherwise.
void add_tmpfs_defaults(MountRequest& m) {
  if (!contains(m.options, "suid") && !contains(m.options, "nosuid")) m.options.push_back("nosuid");
  if (!contains(m.options, "dev") && !contains(m.options, "nodev")) m.options.push_back("nodev");
}

}  // namespace

std::vector<PortMapping> parse_publish(std::string_view spec_view) {
  const std::string spec(spec_view);
  std::string remainder = spec;
  std::string protocol = "tcp";
  const auto by_proto = split_on(spec, '/');
  if (by_proto.size() > 2) throw Error("invalid port format - protocol can only be specified once");
  if (by_proto.size() == 2) {
    remainder = by_proto[0];
    protocol = by_proto[1];
  }

  std::optional<std::string> host_ip, host_port;
  bool have_v6 = false;
  const auto by_bracket = split_on(remainder, ']');
  if (by_bracket.size() > 2)
    throw Error("invalid port format - at most one IPv6 address can be specified in a --publish");
  if (by_bracket.size() == 2) {
    have_v6 = true;
    if (by_bracket[0].empty() || by_bracket[0][0] != '[')
      throw Error("invalid port format - IPv6 addresses must be enclosed by []");
    if (by_bracket[1].empty() || by_bracket[1][0] != ':')
      throw Error("invalid port format - IPv6 address must be followed by a colon (':')");
    host_ip = by_bracket[0].substr(1);
    remainder = by_bracket[1].substr(1);
  }

  std::string ctr_port;
  const auto parts = split_on(remainder, ':');
  if (parts.size() == 1) {
    if (have_v6) throw Error("invalid port format - must provide host and destination port if specifying an IP");
    ctr_port = parts[0];
  } else if (parts.size() == 2) {
    host_port = parts[0];
    ctr_port = parts[1];
  } else if (parts.size() == 3) {
    if (have_v6) throw Error("invalid port format - when v6 address specified, must be [ipv6]:hostPort:ctrPort");
    host_ip = parts[0];
    host_port = parts[1];
    ctr_port = parts[2];
  } else {
    throw Error("invalid port format - format is [[hostIP:]hostPort:]containerPort");
  }

  if (ctr_port.empty()) throw Error("must provide a non-empty container port to publish");
  const auto [ctr_start, ctr_count] = prefixed("parsing container port: ", [&] { return parse_port_range(ctr_port); });
  if (protocol.empty()) throw Error("must provide a non-empty protocol to publish");
  if (protocol != "tcp" && protocol != "udp")
    throw Error("protocol \"" + protocol + "\" in port mapping " + spec + " is not supported: tcp and udp are");

  std::string ip;
  if (host_ip) {
    if (host_ip->empty()) throw Error("must provide a non-empty container host IP to publish");
    if (*host_ip != "0.0.0.0") {
      ip = canonical_ip(*host_ip);
      if (ip.empty()) throw Error("cannot parse \"" + *host_ip + "\" as an IP address");
    }
  }
  int host_start = 0;
  if (host_port && !host_port->empty()) {
    const auto [start, count] = prefixed("parsing host port: ", [&] { return parse_port_range(*host_port); });
    if (count != ctr_count)
      throw Error("host and container port ranges have different lengths: " + std::to_string(count) + " vs " +
                  std::to_string(ctr_count));
    host_start = start;
  }

  std::vector<PortMapping> out;
  for (int i = 0; i < ctr_count; ++i)
    out.push_back(PortMapping{ip, host_start ? host_start + i : 0, ctr_start + i, protocol});
  return out;
}

MountRequest parse_volume(std::string_view spec_view, const std::filesystem::path& cwd) {
  const std::string spec(spec_view);
  const auto parts = split_on(spec, ':');
  if (parts.size() > 3) throw Error(spec + ": incorrect volume format, should be [host-dir:]ctr-dir[:option]");
  MountRequest m;
  if (parts.size() == 1) {
    m.type = "volume";  // anonymous: the engine names it
    m.destination = container_path(parts[0]);
    return m;
  }
  if (parts[0].empty()) throw Error("host directory cannot be empty");
  if (parts[1].empty()) throw Error("container directory cannot be empty");
  m.destination = container_path(parts[1]);
  if (parts.size() == 3) {
    const auto options = split_on(parts[2], ',');
    check_volume_options(options);
    for (const auto& opt : options) {
      if (opt == "ro") m.read_only = true;
      else if (opt != "rw") m.options.push_back(opt);
    }
  }
  if (parts[0][0] == '/' || parts[0][0] == '.') {
    m.type = "bind";
    m.source = absolute_clean(parts[0], cwd);
  } else {
    m.type = "volume";
    m.source = parts[0];
  }
  return m;
}

MountRequest parse_mount(std::string_view spec_view, const std::filesystem::path& cwd) {
  const std::string spec(spec_view);
  const auto fields = split_on(spec, ',');
  MountRequest m;
  for (const auto& f : fields)
    if (f.rfind("type=", 0) == 0) m.type = f.substr(5);
  if (m.type.empty())
    throw Error("incorrect mount format: should be --mount type=<bind|tmpfs|volume>,[src=<host-dir|volume-name>,]target=<ctr-dir>[,options]");
  if (m.type != "bind" && m.type != "volume" && m.type != "tmpfs")
    throw Error("invalid filesystem type \"" + m.type + "\"");

  bool have_source = false, have_dest = false;
  for (const auto& f : fields) {
    const size_t eq = f.find('=');
    const std::string key = f.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : f.substr(eq + 1);
    const bool has_value = eq != std::string::npos;
    if (key == "type") continue;
    if (key == "src" || key == "source") {
      if (m.type == "tmpfs") throw Error("source is not supported with tmpfs mounts");
      if (have_source) throw Error("cannot pass \"" + key + "\" option more than once");
      if (value.empty()) throw Error("host directory cannot be empty");
      have_source = true;
      m.source = value;
    } else if (key == "dst" || key == "destination" || key == "target") {
      if (have_dest) throw Error("cannot pass \"" + key + "\" option more than once");
      have_dest = true;
      m.destination = container_path(value);
    } else if (key == "ro" || key == "readonly") {
      m.read_only = has_value ? parse_go_bool(value, key) : true;
    } else if (key == "rw" && !has_value) {
      m.read_only = false;
    } else if (key == "U" || key == "chown") {
      if (m.type == "tmpfs") throw Error(key + ": invalid mount option");
      if (!has_value || parse_go_bool(value, key)) m.options.push_back("U");
    } else if (key == "relabel" && m.type == "bind") {
      if (value == "shared") m.options.push_back("z");
      else if (value == "private") m.options.push_back("Z");
      else throw Error(value + " mount option must be 'private' or 'shared'");
    } else if (key == "bind-propagation" && m.type == "bind") {
      if (!is_propagation(value)) throw Error("invalid value \"" + value + "\" for bind-propagation");
      m.options.push_back(value);
    } else if (key == "bind-nonrecursive" && m.type == "bind" && !has_value) {
      m.options.push_back("bind");
    } else if ((key == "tmpfs-size" || key == "tmpfs-mode") && m.type == "tmpfs") {
      if (value.empty()) throw Error(key + ": invalid mount option");
      m.options.push_back((key == "tmpfs-size" ? "size=" : "mode=") + value);
    } else if ((key == "tmpcopyup" || key == "notmpcopyup") && m.type == "tmpfs" && !has_value) {
      m.options.push_back(key);
    } else if ((key == "nocopy" || key == "volume-nocopy") && m.type == "volume") {
      m.options.push_back("nocopy");
    } else if (is_mount_flag(key) && !has_value) {
      m.options.push_back(key);
    } else {
      throw Error(key + ": invalid mount option");
    }
  }
  if (!have_dest) throw Error("must set volume destination");
  if (m.type == "bind") {
    if (!have_source) throw Error("a bind mount needs src= (the host directory)");
    m.source = absolute_clean(m.source, cwd);
  } else if (m.type == "tmpfs") {
    m.source = "tmpfs";
    add_tmpfs_defaults(m);
  }
  // "notmpcopyup" only cancels tmpcopyup; the runtime is never told it.
  std::erase(m.options, "notmpcopyup");
  return m;
}

MountRequest parse_tmpfs(std::string_view spec_view) {
  const std::string spec(spec_view);
  const size_t colon = spec.find(':');
  MountRequest m;
  m.type = "tmpfs";
  m.source = "tmpfs";
  m.destination = container_path(spec.substr(0, colon));
  bool copy_up = true;
  if (colon != std::string::npos) {
    for (const auto& opt : split_on(spec.substr(colon + 1), ',')) {
      if (opt == "ro") m.read_only = true;
      else if (opt == "rw") m.read_only = false;
      else if (opt == "notmpcopyup") copy_up = false;
      else if (opt == "tmpcopyup") copy_up = true;
      else if (is_mount_flag(opt) || is_tmpfs_value_option(opt)) m.options.push_back(opt);
      else throw Error("unknown mount option \"" + opt + "\": invalid mount option");
    }
  }
  add_tmpfs_defaults(m);
  if (copy_up) m.options.push_back("tmpcopyup");
  return m;
}

std::vector<std::string> parse_env_file(std::string_view text) {
  std::vector<std::string> out;
  for (std::string line : split_on(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    line.erase(0, first);
    if (line[0] == '#') continue;
    out.push_back(std::move(line));
  }
  return out;
}

std::string resolve_env_arg(std::string_view arg_view, const char* const* host_env) {
  const std::string arg(arg_view);
  const size_t eq = arg.find('=');
  const std::string key = arg.substr(0, eq);
  if (key.empty()) throw Error("invalid environment variable: \"" + arg + "\"");
  if (key.find_first_of(" \t\n") != std::string::npos) throw Error("variable '" + key + "' contains whitespaces");
  if (eq != std::string::npos) return arg;
  for (const char* const* e = host_env; e && *e; ++e) {
    const std::string_view entry(*e);
    if (entry.size() > key.size() && entry.compare(0, key.size(), key) == 0 && entry[key.size()] == '=')
      return std::string(entry);
  }
  return "";
}

std::vector<std::string> resolve_env_args(std::string_view arg_view, const char* const* host_env) {
  if (arg_view.empty() || arg_view.back() != '*' || arg_view.find('=') != std::string_view::npos) {
    std::string one = resolve_env_arg(arg_view, host_env);
    if (one.empty()) return {};
    return {one};
  }
  const std::string_view prefix = arg_view.substr(0, arg_view.size() - 1);
  std::vector<std::string> out;
  for (const char* const* e = host_env; e && *e; ++e) {
    const std::string_view entry(*e);
    const size_t eq = entry.find('=');
    if (eq != std::string_view::npos && entry.substr(0, eq).starts_with(prefix)) out.emplace_back(entry);
  }
  return out;
}

std::vector<std::string> parse_expose(std::string_view spec_view) {
  const std::string spec(spec_view);
  const size_t slash = spec.find('/');
  const std::string range = spec.substr(0, slash);
  const std::string protocol = slash == std::string::npos ? "tcp" : spec.substr(slash + 1);
  const auto parts = split_on(range, '-');
  auto number = [&](const std::string& text) {
    if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos)
      throw Error("invalid range format for --expose: " + spec + ": strconv.ParseUint: parsing \"" + text +
                  "\": invalid syntax");
    const int n = std::stoi(text);
    if (n < 1 || n > 65535) throw Error("invalid range format for --expose: " + spec + ": port out of range");
    return n;
  };
  if (parts.size() > 2) throw Error("invalid range format for --expose: " + spec);
  const int start = number(parts[0]);
  const int end = parts.size() == 2 ? number(parts[1]) : start;
  if (end < start) throw Error("invalid range format for --expose: " + spec + ": the end is below the start");
  if (protocol != "tcp" && protocol != "udp")
    throw Error("validating protocols for exposed port " + std::to_string(start) + ": unrecognized protocol \"" +
                protocol + "\" in port mapping");
  std::vector<std::string> out;
  for (int p = start; p <= end; ++p) out.push_back(std::to_string(p) + "/" + protocol);
  return out;
}

RestartPolicy parse_restart(std::string_view spec_view) {
  const std::string spec(spec_view);
  const auto parts = split_on(spec, ':');
  RestartPolicy r;
  if (parts.size() > 2) throw Error("invalid restart policy: may specify retries at most once");
  r.name = parts[0].empty() ? "no" : parts[0];
  if (r.name != "no" && r.name != "always" && r.name != "on-failure" && r.name != "unless-stopped")
    throw Error("\"" + r.name + "\" is not a valid restart policy: invalid argument");
  if (parts.size() == 2) {
    if (r.name != "on-failure") throw Error("restart policy retries can only be specified with on-failure restart policy");
    int retries;
    try {
      retries = atoi_go(parts[1]);
    } catch (const Error& e) {
      throw Error(std::string("parsing restart policy retry count: ") + e.what());
    }
    if (retries < 0) throw Error("must specify restart policy retry count as a number greater than 0");
    r.max_retries = retries;
  }
  return r;
}

int64_t parse_memory(std::string_view spec_view) {
  const std::string spec(spec_view);
  const Error invalid("invalid size: '" + spec + "'");
  // digits[.digits] then an optional space, unit letter, "i" and "b", as go-units' RAMInBytes.
  size_t i = 0;
  while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i]))) ++i;
  if (i == 0) throw invalid;
  if (i < spec.size() && spec[i] == '.') {
    size_t j = i + 1;
    while (j < spec.size() && std::isdigit(static_cast<unsigned char>(spec[j]))) ++j;
    if (j == i + 1) throw invalid;
    i = j;
  }
  const double number = std::stod(spec.substr(0, i));
  if (i < spec.size() && spec[i] == ' ') ++i;
  double multiplier = 1;
  if (i < spec.size()) {
    const char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(spec[i])));
    const std::string_view units = "kmgtp";
    if (size_t k = units.find(unit); k != std::string_view::npos) {
      multiplier = std::pow(1024.0, static_cast<double>(k + 1));
      ++i;
    }
  }
  if (i < spec.size() && (spec[i] == 'i' || spec[i] == 'I')) ++i;
  if (i < spec.size() && (spec[i] == 'b' || spec[i] == 'B')) ++i;
  if (i != spec.size()) throw invalid;
  const double bytes = number * multiplier;
  if (bytes >= 9.2e18) throw invalid;
  return static_cast<int64_t>(bytes);
}

void parse_cpus(std::string_view spec_view, int64_t& quota, int64_t& period) {
  const std::string spec(spec_view);
  const Error invalid("invalid argument \"" + spec + "\" for \"--cpus\" flag: strconv.ParseFloat: parsing \"" + spec +
                      "\": invalid syntax");
  size_t used = 0;
  double cpus;
  try {
    cpus = std::stod(spec, &used);
  } catch (const std::exception&) {
    throw invalid;
  }
  if (used != spec.size() || !std::isfinite(cpus)) throw invalid;
  if (cpus < 0) throw Error("cpus cannot be negative: " + spec);
  if (cpus == 0) {
    quota = period = 0;
    return;
  }
  period = 100000;
  quota = static_cast<int64_t>(std::llround(cpus * static_cast<double>(period)));
  if (quota < 1000) throw Error("--cpus " + spec + " is below the smallest CPU quota (0.01)");
}

std::pair<std::string, std::string> parse_add_host(std::string_view spec_view) {
  const std::string spec(spec_view);
  const size_t colon = spec.find(':');
  if (colon == std::string::npos || colon == 0) throw Error("bad format for add-host: \"" + spec + "\"");
  const std::string name = spec.substr(0, colon);
  std::string ip = spec.substr(colon + 1);
  if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  const std::string canonical = canonical_ip(ip);
  if (canonical.empty()) throw Error("invalid IP address in add-host: \"" + ip + "\"");
  return {name, canonical};
}

}  // namespace roost::ctr
