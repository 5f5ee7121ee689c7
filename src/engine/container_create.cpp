#include "engine/container_create.hpp"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <nlohmann/json.hpp>

#include "ctr/image_defaults.hpp"
#include "ctr/run_flags.hpp"
#include "ctr/volume_store.hpp"
#include "engine/image_ops.hpp"
#include "engine/network_ops.hpp"
#include "engine/progress.hpp"
#include "engine/pull.hpp"
#include "ns/net/slirp4netns_mode_options.hpp"
#include "store/userns_session.hpp"
#include "sys/signals.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::engine {
namespace {

// "net_raw", "CAP_NET_RAW", "all" -> "CAP_NET_RAW", "ALL".
std::string capability_name(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  if (name == "ALL" || name.starts_with("CAP_")) return name;
  return "CAP_" + name;
}

// "TERM", "15", "SIGTERM" -> "SIGTERM" (what the record and the monitor keep).
std::string signal_name(const std::string& text) {
  const int n = parse_signal(text);
  const char* abbrev = sigabbrev_np(n);
  return abbrev ? std::string("SIG") + abbrev : std::to_string(n);
}

void apply_security_opt(ctr::ContainerConfig& c, const std::string& opt) {
  // podman takes "seccomp=X" and "seccomp:X" alike.
  const size_t sep = opt.find_first_of("=:");
  const std::string key = opt.substr(0, sep), value = sep == std::string::npos ? "" : opt.substr(sep + 1);
  if (key == "no-new-privileges") {
    if (!value.empty() && value != "true" && value != "false") throw Error("invalid --security-opt " + opt);
    c.no_new_privileges = value != "false";
  } else if (key == "seccomp") {
    if (value.empty()) throw Error("invalid --security-opt " + opt + ": seccomp=unconfined or seccomp=FILE");
    if (value == "unconfined") {
      c.seccomp_profile = "unconfined";
    } else {
      const std::string text = read_file(value);
      if (!nlohmann::json::accept(text)) throw Error("--security-opt seccomp=" + value + ": not a JSON seccomp profile");
      c.seccomp_profile = text;
    }
  } else if (opt == "label=disable") {
    // SELinux labels: there are none on this kind of host, so disabling them is already the case.
  } else {
    throw Error("invalid --security-opt \"" + opt + "\" (roost knows seccomp=FILE|unconfined and no-new-privileges)");
  }
}

// The image config's "config" object (Entrypoint, Cmd, Env, ...); {} when it has none.
nlohmann::json image_config_object(store::Store& store, const store::ImageRecord& image) {
  const nlohmann::json doc = nlohmann::json::parse(store.image_config(image.id), nullptr, false);
  if (doc.is_discarded()) throw Error("the image's config is not JSON: " + image.id.hex);
  return doc.contains("config") && doc["config"].is_object() ? doc["config"] : nlohmann::json::object();
}

// The image the request names, found or pulled as --pull says.
store::ImageRecord resolve_image(store::Store& store, const CreateRequest& request) {
  std::optional<store::ImageRecord> image;
  if (request.pull != "always") image = find_image(store, request.image);
  if (image) return *image;
  if (request.pull == "never") throw Error(request.image + ": image not known");
  Progress progress(progress_mode_for_stderr(false));
  const std::string id = pull(store, request.image, PullOptions{}, progress);
  image = store.find_image(id);
  if (!image) throw Error(request.image + ": pulled as " + id + " but not found in the store");
  return *image;
}

}  // namespace

ctr::ContainerConfig config_from_request(const CreateRequest& r) {
  ctr::ContainerConfig c;
  if (r.userns.starts_with("auto")) throw Error("--userns=" + r.userns + " is not supported yet");
  if (!r.userns.empty() && r.userns != "host" && r.userns != "keep-id" && r.userns != "nomap")
    throw Error("invalid --userns \"" + r.userns + "\"");
  if ((!r.uid_maps.empty() || !r.gid_maps.empty()) && !r.userns.empty())
    throw Error("--userns and --uidmap/--gidmap are mutually exclusive");
  c.userns = r.userns;
  c.uid_maps = r.uid_maps;
  c.gid_maps = r.gid_maps;
  static const char* const kNetworks[] = {"none", "host", "slirp4netns", "pasta"};
  // --network MODE[:OPTIONS]: slirp4netns's options are checked here and applied by the monitor.
  std::string network = r.network;
  if (const size_t colon = network.find(':'); colon != std::string::npos) {
    const std::string mode = network.substr(0, colon);
    if (mode == "pasta") throw Error("roost passes no options to pasta yet: use --network pasta (" + r.network + ")");
    if (mode == "none" || mode == "host") throw Error("network " + mode + " takes no options (--network " + r.network + ")");
    if (mode != "slirp4netns") throw Error("unable to find network with name or ID " + r.network + ": network not found");
    if (colon + 1 < network.size()) c.network_options = split(network.substr(colon + 1), ',');
    ns::NetworkOptions checked;
    ns::apply_slirp4netns_mode_options(c.network_options, checked);
    network = mode;
  }
  // Any other name is a user-defined network's (create_container checks that it exists).
  const bool user_network = !ctr::is_network_mode(network);
  if (std::find(std::begin(kNetworks), std::end(kNetworks), network) == std::end(kNetworks) && !user_network)
    throw Error("unable to find network with name or ID " + network + ": network not found");
  c.network = network;
  if (network == "host" && (!r.publish.empty() || r.publish_all))
    throw Error("cannot set port bindings on an existing container network namespace");
  if (network == "none" && !r.publish.empty()) throw Error("port bindings need a network: --network none has none");
  c.name = r.name;
  c.hostname = r.hostname;
  for (const std::string& p : r.publish)
    for (const ctr::PortMapping& m : ctr::parse_publish(p)) c.ports.push_back(m);
  for (const std::string& v : r.volumes) c.mounts.push_back(ctr::parse_volume(v, r.cwd));
  for (const std::string& m : r.mounts) c.mounts.push_back(ctr::parse_mount(m, r.cwd));
  for (const std::string& t : r.tmpfs) c.mounts.push_back(ctr::parse_tmpfs(t));
  for (const std::string& h : r.add_hosts) {
    const auto [host, ip] = ctr::parse_add_host(h);
    c.add_hosts.push_back(host + ":" + ip);
  }
  c.dns = r.dns;
  for (const std::string& l : r.labels) {
    const size_t eq = l.find('=');
    c.labels[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
  }
  if (!r.restart.empty()) c.restart = ctr::parse_restart(r.restart);
  if (r.auto_remove && c.restart.name != "no")
    throw Error("the --rm option conflicts with --restart, when the restartPolicy is not \"\" and \"no\"");
  c.auto_remove = r.auto_remove;
  c.tty = r.tty;
  c.interactive = r.interactive;
  c.read_only = r.read_only;
  c.privileged = r.privileged;
  c.init = r.init;
  for (const std::string& cap : r.cap_add) c.cap_add.push_back(capability_name(cap));
  for (const std::string& cap : r.cap_drop) c.cap_drop.push_back(capability_name(cap));
  for (const std::string& opt : r.security_opts) apply_security_opt(c, opt);
  if (!r.memory.empty()) c.memory_limit = ctr::parse_memory(r.memory);
  if (!r.cpus.empty()) ctr::parse_cpus(r.cpus, c.cpu_quota, c.cpu_period);
  if (r.pids_limit < 0) throw Error("--pids-limit must be positive");
  c.pids_limit = r.pids_limit;
  if (!r.stop_signal.empty()) c.stop_signal = signal_name(r.stop_signal);  // the image's applies otherwise
  if (r.stop_timeout) {
    if (*r.stop_timeout < 0) throw Error("--stop-timeout must not be negative");
    c.stop_timeout = *r.stop_timeout;
  }
  return c;
}

ctr::ContainerConfig create_container(const GlobalOptions& global, ctr::ContainerStore& containers,
                                      const CreateRequest& request) {
  ctr::ContainerConfig config = config_from_request(request);
  if (!ctr::is_network_mode(config.network)) config.network = require_network(open_networks(global), config.network).name;
  std::vector<std::string> env_lines;
  // --env-file's lines, then -e (later wins per key); a bare KEY takes roost's own value, or
  // nothing when roost has none.
  auto add_env = [&](const std::string& e) {
    const std::string resolved = ctr::resolve_env_arg(e, request.host_env);
    if (!resolved.empty()) env_lines.push_back(resolved);
  };
  for (const std::string& file : request.env_files)
    for (const std::string& e : ctr::parse_env_file(read_file(file))) add_env(e);
  for (const std::string& e : request.env) add_env(e);

  store::Store store = open_store(global);
  const store::ImageRecord image = resolve_image(store, request);
  config.image_id = "sha256:" + image.id.hex;
  config.image_name = selected_name(image, request.image).value_or(image.names.empty() ? image.id.hex : image.names.front());

  ctr::ImageOverrides overrides;
  if (request.entrypoint) overrides.entrypoint = ctr::parse_entrypoint_flag(*request.entrypoint);
  overrides.command = request.command;
  overrides.user = request.user;
  overrides.working_dir = request.workdir;
  overrides.env = env_lines;
  if (!request.stop_signal.empty()) overrides.stop_signal = config.stop_signal;
  ctr::apply_image_config(config, image_config_object(store, image), overrides);
  if (request.publish_all)
    for (const std::string& exposed : config.exposed_ports) {
      const size_t slash = exposed.find('/');
      ctr::PortMapping m;
      m.container_port = std::stoi(exposed.substr(0, slash));
      m.protocol = slash == std::string::npos ? "tcp" : exposed.substr(slash + 1);
      config.ports.push_back(m);  // host port 0: a free one, chosen at start
    }
  // -v DST and the image's Volumes: an anonymous volume each, named now as podman does.
  for (ctr::MountRequest& m : config.mounts)
    if (m.type == "volume" && m.source.empty()) m.source = ctr::VolumeStore(containers.data_root()).create("", {}, true).name;
  return containers.create(std::move(config));
}

}  // namespace roost::engine
