#include "ns/options.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <cstdlib>
#include <functional>

#include "util/error.hpp"

namespace roost::ns {
namespace {

enum class Kind { Bool, Value };

struct Flag {
  const char* name;
  const char* alias;  // one-letter alias or nullptr
  Kind kind;
  std::function<void(NsOptions&, const std::string&)> set;
};

// Go's strconv.ParseBool.
bool parse_go_bool(const std::string& value, const std::string& flag) {
  for (const char* t : {"1", "t", "T", "true", "TRUE", "True"})
    if (value == t) return true;
  for (const char* f : {"0", "f", "F", "false", "FALSE", "False"})
    if (value == f) return false;
  throw Error("invalid boolean value \"" + value + "\" for -" + flag + ": parse error");
}

// Go's strconv.ParseInt(value, 0, 64): decimal, 0x hex, 0o/0 octal, 0b binary.
int parse_go_int(const std::string& value, const std::string& flag) {
  std::string digits = value;
  int base = 10;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.erase(0, 1);
  }
  if (digits.size() > 1 && digits[0] == '0') {
    char p = digits[1];
    if (p == 'x' || p == 'X') base = 16, digits.erase(0, 2);
    else if (p == 'b' || p == 'B') base = 2, digits.erase(0, 2);
    else if (p == 'o' || p == 'O') base = 8, digits.erase(0, 2);
    else base = 8, digits.erase(0, 1);
  }
  char* end = nullptr;
  errno = 0;
  long long n = digits.empty() ? 0 : std::strtoll(digits.c_str(), &end, base);
  if (digits.empty() || *end != '\0' || errno != 0 || n > 0x7fffffffLL || digits[0] == '-' || digits[0] == '+')
    throw Error("invalid value \"" + value + "\" for flag -" + flag + ": parse error");
  return static_cast<int>(negative ? -n : n);
}

using S = NsOptions&;
using V = const std::string&;

const std::vector<Flag>& flags() {
  static const std::vector<Flag> table = {
      {"debug", nullptr, Kind::Bool, [](S o, V v) { o.debug = parse_go_bool(v, "debug"); }},
      {"help", "h", Kind::Bool, [](S o, V v) { o.help = parse_go_bool(v, "help"); }},
      {"version", "v", Kind::Bool, [](S o, V v) { o.version = parse_go_bool(v, "version"); }},
      {"print-semver", nullptr, Kind::Value, [](S o, V v) { o.print_semver = v; }},
      {"state-dir", nullptr, Kind::Value, [](S o, V v) { o.state_dir = v; }},
      {"net", nullptr, Kind::Value, [](S o, V v) { o.network.driver = v; }},
      {"mtu", nullptr, Kind::Value, [](S o, V v) { o.network.mtu = parse_go_int(v, "mtu"); }},
      {"cidr", nullptr, Kind::Value, [](S o, V v) { o.network.cidr = v; }},
      {"ifname", nullptr, Kind::Value, [](S o, V v) { o.network.ifname = v; }},
      {"disable-host-loopback", nullptr, Kind::Bool,
       [](S o, V v) { o.network.disable_host_loopback = parse_go_bool(v, "disable-host-loopback"); }},
      {"ipv6", nullptr, Kind::Bool, [](S o, V v) { o.network.ipv6 = parse_go_bool(v, "ipv6"); }},
      {"detach-netns", nullptr, Kind::Bool,
       [](S o, V v) { o.network.detach_netns = parse_go_bool(v, "detach-netns"); }},
      {"slirp4netns-binary", nullptr, Kind::Value, [](S o, V v) { o.network.slirp4netns_binary = v; }},
      {"slirp4netns-sandbox", nullptr, Kind::Value, [](S o, V v) { o.network.slirp4netns_sandbox = v; }},
      {"slirp4netns-seccomp", nullptr, Kind::Value, [](S o, V v) { o.network.slirp4netns_seccomp = v; }},
      {"vpnkit-binary", nullptr, Kind::Value, [](S o, V v) { o.network.vpnkit_binary = v; }},
      {"lxc-user-nic-binary", nullptr, Kind::Value, [](S o, V v) { o.network.lxc_user_nic_binary = v; }},
      {"lxc-user-nic-bridge", nullptr, Kind::Value, [](S o, V v) { o.network.lxc_user_nic_bridge = v; }},
      {"pasta-binary", nullptr, Kind::Value, [](S o, V v) { o.network.pasta_binary = v; }},
      {"port-driver", nullptr, Kind::Value, [](S o, V v) { o.port.driver = v; }},
      {"publish", "p", Kind::Value, [](S o, V v) { o.publish_text.push_back(v); }},
      {"source-ip-transparent", nullptr, Kind::Bool,
       [](S o, V v) { o.port.source_ip_transparent = parse_go_bool(v, "source-ip-transparent"); }},
      {"copy-up", nullptr, Kind::Value, [](S o, V v) { o.copy_up.push_back(v); }},
      {"copy-up-mode", nullptr, Kind::Value, [](S o, V v) { o.copy_up_mode = v; }},
      {"propagation", nullptr, Kind::Value, [](S o, V v) { o.propagation = v; }},
      {"pidns", nullptr, Kind::Bool, [](S o, V v) { o.pidns = parse_go_bool(v, "pidns"); }},
      {"cgroupns", nullptr, Kind::Bool, [](S o, V v) { o.cgroupns = parse_go_bool(v, "cgroupns"); }},
      {"utsns", nullptr, Kind::Bool, [](S o, V v) { o.utsns = parse_go_bool(v, "utsns"); }},
      {"ipcns", nullptr, Kind::Bool, [](S o, V v) { o.ipcns = parse_go_bool(v, "ipcns"); }},
      {"reaper", nullptr, Kind::Value, [](S o, V v) { o.reaper = v; }},
      {"evacuate-cgroup2", nullptr, Kind::Value, [](S o, V v) { o.evacuate_cgroup2 = v; }},
      {"subid-source", nullptr, Kind::Value, [](S o, V v) { o.subid_source = v; }},
  };
  return table;
}

const Flag* find_flag(const std::string& name) {
  for (const auto& f : flags())
    if (name == f.name || (f.alias && name == f.alias)) return &f;
  return nullptr;
}

// One Go-style flag at args[i]; returns false at the first word that is not a flag (or after "--").
bool parse_one_flag(const std::vector<std::string>& args, size_t& i, NsOptions& opts) {
  const std::string& arg = args[i];
  if (arg.size() < 2 || arg[0] != '-') return false;
  size_t dashes = arg[1] == '-' ? 2 : 1;
  if (dashes == 2 && arg.size() == 2) {  // "--" ends the flags and is consumed
    ++i;
    return false;
  }
  std::string name = arg.substr(dashes), value;
  if (name.empty() || name[0] == '-' || name[0] == '=') throw Error("bad flag syntax: " + arg);
  size_t eq = name.find('=');
  bool has_value = eq != std::string::npos;
  if (has_value) value = name.substr(eq + 1), name.erase(eq);
  const Flag* flag = find_flag(name);
  if (!flag) throw Error("flag provided but not defined: -" + name);
  if (flag->kind == Kind::Bool) {
    flag->set(opts, has_value ? value : "true");
  } else {
    if (!has_value) {
      if (i + 1 >= args.size()) throw Error("flag needs an argument: -" + name);
      value = args[++i];
    }
    flag->set(opts, value);
  }
  ++i;
  return true;
}

bool one_of(const std::string& v, std::initializer_list<const char*> choices) {
  for (const char* c : choices)
    if (v == c) return true;
  return false;
}

// "10.0.2.0/24": an IPv4 network address with its prefix; throws rootlesskit's messages.
void check_cidr(const std::string& cidr) {
  size_t slash = cidr.find('/');
  in_addr addr{};
  char* end = nullptr;
  long prefix = slash == std::string::npos ? -1 : std::strtol(cidr.c_str() + slash + 1, &end, 10);
  if (slash == std::string::npos || slash + 1 >= cidr.size() || *end != '\0' || prefix < 0 || prefix > 32 ||
      ::inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &addr) != 1)
    throw Error("invalid CIDR address: " + cidr);
  uint32_t host_bits = prefix == 32 ? 0 : (0xffffffffu >> prefix);
  if ((ntohl(addr.s_addr) & host_bits) != 0)
    throw Error("cidr must be like 10.0.2.0/24, not like 10.0.2.100/24");
}

void validate_network(const NsOptions& o) {
  const NetworkOptions& n = o.network;
  if (n.mtu < 0 || n.mtu > 65521) throw Error("mtu must be <= 65521, got " + std::to_string(n.mtu));
  if (!n.cidr.empty()) check_cidr(n.cidr);
  if (n.ifname.find('/') != std::string::npos) throw Error("ifname must not contain \"/\"");
  if (!one_of(n.driver, {"host", "none", "slirp4netns", "pasta", "vpnkit", "lxc-user-nic", "gvisor-tap-vsock"}))
    throw Error("unknown network mode: " + n.driver);
  if (!n.cidr.empty() && !one_of(n.driver, {"slirp4netns", "pasta", "gvisor-tap-vsock"}))
    throw Error("custom cidr is not supported for --net=" + n.driver);
  if (!n.ifname.empty() && one_of(n.driver, {"host", "none"}))
    throw Error("ifname cannot be specified for --net=" + n.driver);
  for (const std::string* mode : {&n.slirp4netns_sandbox, &n.slirp4netns_seccomp})
    if (!one_of(*mode, {"auto", "true", "false", ""}))
      throw Error(std::string("unsupported slirp4netns-") + (mode == &n.slirp4netns_sandbox ? "sandbox" : "seccomp") +
                  " mode: \"" + *mode + "\"");
  if (n.driver == "slirp4netns" && n.slirp4netns_sandbox == "true" && n.detach_netns)
    throw Error("--slirp4netns-sandbox conflicts with --detach-netns (https://github.com/rootless-containers/slirp4netns/issues/317)");
  if (n.ipv6 && n.driver == "gvisor-tap-vsock") throw Error("--ipv6 is not supported for gvisor-tap-vsock");
}

void validate_ports(const NsOptions& o) {
  const std::string& d = o.port.driver;
  const std::string& net = o.network.driver;
  if (net == "none" && !one_of(d, {"none", "builtin"}))
    throw Error("network \"none\" requires either port driver \"none\" or \"builtin\"");
  if (net == "pasta" && !one_of(d, {"none", "implicit"}))
    throw Error("network \"pasta\" requires port driver \"none\" or \"implicit\"");
  if (d == "none") {
    if (!o.publish_text.empty()) throw Error("port driver \"none\" does not support publishing ports");
  } else if (d == "implicit") {
    if (net != "pasta") throw Error("port driver requires pasta network");
  } else if (d == "slirp4netns") {
    if (net != "slirp4netns") throw Error("port driver requires slirp4netns network");
  } else if (d == "builtin" || d == "gvisor-tap-vsock") {
    if (net == "host") throw Error("port driver requires non-host network");
  } else {
    throw Error("unknown port driver: " + d);
  }
}

std::string clean_path(const std::string& p) {
  std::string out = p;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

void validate_process(const NsOptions& o) {
  if (!o.evacuate_cgroup2.empty()) {
    if (!o.cgroupns) throw Error("evacuate-cgroup2 requires --cgroupns");
    if (!o.pidns) throw Error("evacuate-cgroup2 requires --pidns");
    if (o.evacuate_cgroup2.find('/') != std::string::npos)
      throw Error("unexpected evacuation group name \"" + o.evacuate_cgroup2 + "\": must not contain \"/\"");
  }
  if (!one_of(o.reaper, {"auto", "true", "false"})) throw Error("unknown reaper mode: " + o.reaper);
  if (o.reaper == "true" && !o.pidns) throw Error("reaper requires --pidns");
  if (!one_of(o.subid_source, {"auto", "dynamic", "static"}))
    throw Error("unknown subid source \"" + o.subid_source + "\"");
}

void validate_mounts(const NsOptions& o) {
  if (o.copy_up_mode != "tmpfs+symlink") throw Error("unknown copy-up mode: " + o.copy_up_mode);
  if (!one_of(o.propagation, {"private", "rprivate", "shared", "rshared", "slave", "rslave"}))
    throw Error("unknown propagation: " + o.propagation + " (rprivate, private, rslave, slave, rshared, shared)");
  if (!o.copy_up.empty() && one_of(o.propagation, {"shared", "rshared"}))
    throw Error("propagation " + o.propagation + " does not support copy-up driver " + o.copy_up_mode);
  for (const auto& dir : o.copy_up) {
    if (dir.empty() || dir[0] != '/') throw Error("copy-up directory must be absolute: " + dir);
    if (clean_path(dir) == "/tmp") throw Error("/tmp cannot be copied up");
    if (clean_path(dir) == "/") throw Error("/ cannot be copied up");
  }
}

}  // namespace

void validate_ns_options(const NsOptions& o) {
  if (!o.print_semver.empty() && !one_of(o.print_semver, {"major", "minor", "patch"}))
    throw Error("expected --print-semver=(major|minor|patch), got \"" + o.print_semver + "\"");
  validate_process(o);
  validate_network(o);
  validate_ports(o);
  validate_mounts(o);
}

NsOptions parse_ns_options(const std::vector<std::string>& args) {
  NsOptions opts;
  size_t i = 0;
  while (i < args.size() && parse_one_flag(args, i, opts)) {
  }
  opts.command.assign(args.begin() + static_cast<long>(i), args.end());
  if (opts.help || opts.version) return opts;
  validate_ns_options(opts);
  for (const auto& text : opts.publish_text) {
    opts.publish.push_back(parse_port_spec(text));
    validate_port_spec(opts.publish.back());
  }
  // pasta has no API: the implicit driver's ports go on pasta's command line, and the port
  // driver accepts exactly these.
  if (opts.port.driver == "implicit") opts.network.published_ports = opts.port.publish_at_start = opts.publish;
  if (opts.print_semver.empty() && opts.command.empty()) throw Error("no command specified");
  return opts;
}

std::vector<std::string> ns_option_warnings(const NsOptions& o) {
  std::vector<std::string> out;
  const std::string& net = o.network.driver;
  if (!o.network.disable_host_loopback && net != "host" && net != "none")
    out.push_back("specifying --disable-host-loopback is highly recommended to prohibit connecting to 127.0.0.1:* "
                  "on the host namespace (requires pasta, slirp4netns, or VPNKit)");
  if (o.network.mtu != 0 && (net == "host" || net == "none"))
    out.push_back("unsupported mtu for --net=" + net + ": " + std::to_string(o.network.mtu));
  if (o.network.ipv6 && net != "slirp4netns" && net != "pasta")
    out.push_back("--ipv6 is discarded for --net=" + net);
  return out;
}

}  // namespace roost::ns
