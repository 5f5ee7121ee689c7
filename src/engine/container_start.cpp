#include "engine/container_start.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <tuple>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "ctr/network_store.hpp"
#include "ctr/oci_spec.hpp"
#include "ctr/passwd.hpp"
#include "ctr/volume_store.hpp"
#include "engine/container_context.hpp"
#include "monitor/ctl_client.hpp"
#include "monitor/ctl_protocol.hpp"
#include "monitor/monitor_config.hpp"
#include "ns/net/child_addresses.hpp"
#include "ns/net/driver_checks.hpp"
#include "ns/net/slirp4netns_mode_options.hpp"
#include "rootfs/secure_path.hpp"
#include "store/overlay_probe.hpp"
#include "store/rootfs_mount.hpp"
#include "store/store.hpp"
#include "store/userns_session.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/process.hpp"

namespace roost::engine {
namespace {

// slirp4netns, pasta and user-defined networks: the monitor makes the container's network
// namespace and binds it on netns_path, which config.json names.
bool needs_own_netns(const std::string& network) {
  return network == "slirp4netns" || network == "pasta" || !ctr::is_network_mode(network);
}

namespace fs = std::filesystem;

// The rootfs mount, undone on every way out unless released: a start that fails leaves nothing
// mounted. Once the monitor runs, it holds the mount namespace and the mount lives with it.
class RootfsMount {
 public:
  RootfsMount(const std::vector<fs::path>& lowers, fs::path target, store::OverlayDriver driver,
              const store::UpperDirs& upper, const store::LayerIdMap& ids)
      : target_(std::move(target)) {
    store::mount_layers(lowers, target_, driver, upper, ids);
  }
  RootfsMount(const RootfsMount&) = delete;
  RootfsMount& operator=(const RootfsMount&) = delete;
  ~RootfsMount() {
    if (target_.empty()) return;
    try {
      store::unmount_layers(target_);
    } catch (const Error&) {
      // Busy: a process of a half-started container still holds it; the namespace goes with us.
    }
  }
  void release() { target_.clear(); }

 private:
  fs::path target_;
};

// The layers the container's rootfs is stacked from, top first, and the driver to stack them.
struct ImageLayers {
  std::vector<fs::path> lowers_top_first;
  store::OverlayDriver driver = store::OverlayDriver::None;
};

ImageLayers image_layers(const ctr::ContainerStore& containers, const ctr::ContainerConfig& config) {
  store::StorePaths paths;
  paths.data_root = containers.data_root();
  paths.run_root = containers.run_root();
  store::Store store = store::Store::open(paths);
  const std::optional<store::ImageRecord> image = store.find_image(config.image_id);
  if (!image) throw Error("the container's image " + config.image_name + " (" + config.image_id + ") is gone from the store");
  ImageLayers out;
  for (size_t i = image->layers.size(); i-- > 0;) out.lowers_top_first.push_back(store.layer_diff_path(image->layers[i]));
  const store::OverlayProbe probe = store::probe_overlay(paths, store::copy_driver_requested());
  if (probe.driver != store::OverlayDriver::KernelOverlay && probe.driver != store::OverlayDriver::FuseOverlayfs)
    throw Error(std::string("containers need overlayfs or fuse-overlayfs; the store uses ") +
                store::driver_name(probe.driver) + " (" + probe.detail + ")");
  out.driver = probe.driver;
  return out;
}

// A file of the image read confined to the rootfs (a symlink in the image cannot point the read
// outside it); "" when the image has none.
std::string read_in_rootfs(const fs::path& rootfs, const std::string& path) {
  UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw_errno("open the rootfs " + rootfs.string());
  UniqueFd fd = open_in_root(root.get(), path, O_RDONLY | O_CLOEXEC);
  if (!fd) {
    if (errno == ENOENT) return "";
    throw_errno("open " + path + " in the container's rootfs");
  }
  return read_file(fd_path(fd.get()));
}

// -v SRC:DST:U: the source belongs to the container's process user, as podman chowns it. The
// walk never follows a symlink (lchown, and the iterator does not descend through links).
void chown_for_container(const fs::path& source, uid_t uid, gid_t gid) {
  if (::lchown(source.c_str(), uid, gid) != 0) throw_errno("chown " + source.string() + " (the U option)");
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(source))) return;
  for (auto it = fs::recursive_directory_iterator(source, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (::lchown(it->path().c_str(), uid, gid) != 0) throw_errno("chown " + it->path().string() + " (the U option)");
  }
  if (ec) throw Error("walk " + source.string() + " for the U option: " + ec.message());
}

// Each volume mount's host directory by destination: a named volume's _data, made on first use
// as podman does (create gave anonymous ones their names).
std::map<std::string, std::string> volume_sources(const ctr::ContainerStore& containers,
                                                  const ctr::ContainerConfig& config) {
  std::map<std::string, std::string> out;
  ctr::VolumeStore volumes(containers.data_root());
  for (const auto& m : config.mounts)
    if (m.type == "volume") out[m.destination] = volumes.ensure(m.source).mountpoint;
  return out;
}

// --init: the host's tiny init (podman's catatonit, or tini), bind-mounted by the spec.
std::string find_init() {
  for (const char* path : {"/usr/libexec/podman/catatonit", "/usr/bin/catatonit", "/usr/bin/tini-static", "/usr/bin/tini"})
    if (::access(path, X_OK) == 0) return path;
  return "";
}

monitor::MonitorConfig monitor_config(const ctr::ContainerStore& containers, const ctr::ContainerConfig& config,
                                      const ctr::ContainerPaths& paths) {
  monitor::MonitorConfig m;
  m.id = config.id;
  m.runtime = helper_program("roost-runtime").string();
  m.runtime_root = runtime_root(containers).string();
  m.bundle = paths.bundle().string();
  m.log_path = paths.log().string();
  m.state_path = paths.state().string();
  m.lock_path = paths.lock().string();
  m.ctl_socket = paths.ctl_socket().string();
  m.run_dir = paths.run_dir.string();
  m.data_dir = paths.dir.string();
  m.name_file = (containers.data_root() / "containers" / "names" / config.name).string();
  m.tty = config.tty;
  m.stdin_open = config.interactive;
  m.network = config.network;
  m.network_options = config.network_options;
  if (needs_own_netns(config.network)) m.netns_path = paths.netns().string();
  m.ports = config.ports;
  m.restart = config.restart;
  m.auto_remove = config.auto_remove;
  m.stop_signal = config.stop_signal;
  m.stop_timeout = config.stop_timeout;
  return m;
}

// A nested user namespace (--userns=keep-id|nomap, --uidmap): the rootfs's layers are mounted
// mapped by its maps, so that the image's files keep their owners inside (store/rootfs_mount.hpp)
// without a copy; empty otherwise.
store::LayerIdMap layer_id_map(const ctr::ContainerConfig& config, const store::UsernsSession& session) {
  ctr::SpecInputs in;
  in.config = config;
  in.real_root = session.real_root;
  if (!session.real_root) in.outer = outer_ids();
  const auto maps = ctr::nested_user_namespace_maps(in);
  if (!maps) return {};
  return {maps->uid, maps->gid};
}

// Writes the bundle (hosts, resolv.conf, hostname, config.json) for this start.
// The process's working directory, checked in the mounted rootfs as podman does: the image's
// WorkingDir is made when missing (confined to the rootfs, owned by the process's user), a -w
// that does not exist is "cannot be invoked" (126) with one line, not the runtime's chdir error.
void ensure_working_dir(const ctr::ContainerConfig& config, const fs::path& rootfs, uid_t uid, gid_t gid) {
  UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw_errno("open the rootfs " + rootfs.string());
  if (open_in_root(root.get(), config.working_dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) return;
  if (errno != ENOENT) return;  // not a directory, a loop...: the runtime's chdir names it
  if (!config.create_working_dir)
    throw StartError("workdir \"" + config.working_dir + "\" does not exist on container " + config.id, 126);
  UniqueFd dir = make_in_root(root.get(), config.working_dir, false);
  // An id outside the user namespace's map (no subordinate ids) cannot own it: it stays root's.
  if (::fchownat(dir.get(), "", uid, gid, AT_EMPTY_PATH) != 0 && errno != EINVAL)
    throw_errno("chown the working directory " + config.working_dir);
}

// Whether `id` is inside one of the ranges of a /proc/self/{uid,gid}_map ("inside outside count").
bool id_mapped(const std::string& map_file, unsigned long id) {
  std::string map;
  try {
    map = read_file(map_file);
  } catch (const Error&) {
    return true;  // unknown: the runtime will tell
  }
  for (const std::string& line : split(map, '\n')) {
    unsigned long inside = 0, outside = 0, count = 0;
    if (std::sscanf(line.c_str(), "%lu %lu %lu", &inside, &outside, &count) == 3 && id >= inside && id - inside < count)
      return true;
  }
  return false;
}

// The process's user must exist in the user namespace the container shares (only uid 0 without
// subordinate ids): else the runtime's setuid fails inside the container with its own words and
// exit 1. podman's runc says "unable to setup user: invalid argument" and podman exits 126.
void check_user_mapped(const ctr::ResolvedUser& user) {
  for (auto [file, id, kind] : {std::tuple{"/proc/self/uid_map", static_cast<unsigned long>(user.uid), "uid"},
                                std::tuple{"/proc/self/gid_map", static_cast<unsigned long>(user.gid), "gid"}}) {
    if (!id_mapped(file, id))
      throw StartError(std::string("unable to setup user: invalid argument: ") + kind + " " + std::to_string(id) +
                           " is not mapped in the user namespace (no subordinate ids for this user in /etc/sub" +
                           kind + ")",
                       126);
  }
}

void write_bundle(const ctr::ContainerStore& containers, const ctr::ContainerConfig& config,
                  const ctr::ContainerPaths& paths, const store::UsernsSession& session) {
  const fs::path rootfs = paths.rootfs();
  const fs::path bundle = paths.bundle();
  make_dirs(bundle.string(), 0700);
  write_file_atomic((bundle / "hosts").string(), hosts_file(config, container_ip(config)));
  std::string host_resolv;
  try {
    host_resolv = read_file("/etc/resolv.conf");
  } catch (const Error&) {
  }
  write_file_atomic((bundle / "resolv.conf").string(), resolv_conf(config, host_resolv));
  write_file_atomic((bundle / "hostname").string(), config.hostname + "\n");

  ctr::SpecInputs inputs;
  inputs.config = config;
  if (!session.real_root) inputs.outer = outer_ids();
  inputs.user = ctr::resolve_user(ctr::process_user_spec(config, inputs.outer), read_in_rootfs(rootfs, "/etc/passwd"),
                                  read_in_rootfs(rootfs, "/etc/group"));
  // With a nested user namespace the process's ids are those of the nested one (its maps checked
  // by the spec); in the shared one they must be mapped there.
  if (ctr::nested_user_namespace_maps(inputs) == std::nullopt) check_user_mapped(inputs.user);
  ensure_working_dir(config, rootfs, inputs.user.uid, inputs.user.gid);
  inputs.rootfs = rootfs.string();
  inputs.bundle = bundle.string();
  inputs.bundle_hosts = inputs.bundle_resolv_conf = inputs.bundle_hostname = true;
  if (needs_own_netns(config.network)) inputs.netns_path = paths.netns().string();
  inputs.real_root = session.real_root;
  inputs.volume_sources = volume_sources(containers, config);
  inputs.terminal = config.tty;
  struct rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) inputs.nofile_hard = limit.rlim_max;
  if (::getrlimit(RLIMIT_NPROC, &limit) == 0) inputs.nproc_hard = limit.rlim_max;
  if (config.init) {
    inputs.init_path = find_init();
    if (inputs.init_path.empty()) throw Error("--init needs catatonit or tini on the host (apt-get install catatonit)");
  }
  for (const auto& m : config.mounts) {
    if (std::find(m.options.begin(), m.options.end(), "U") == m.options.end()) continue;
    const std::string source = m.type == "volume" ? inputs.volume_sources[m.destination] : m.source;
    if (!source.empty()) chown_for_container(source, inputs.user.uid, inputs.user.gid);
  }
  write_file_atomic((bundle / "config.json").string(), ctr::build_oci_spec(inputs));
}

// The monitors' stderr: what goes wrong after `roost run` has its answer (conmon's syslog lines).
// One file per store, appended to by every monitor (each line is one write); over 1 MiB it is
// moved to monitor.log.1 first, so it stays small.
UniqueFd open_monitor_log(const fs::path& run_root) {
  const fs::path log = run_root / "monitor.log";
  struct stat st{};
  if (::stat(log.c_str(), &st) == 0 && st.st_size > (1 << 20)) ::rename(log.c_str(), (log.string() + ".1").c_str());
  return UniqueFd(::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
}

// fork + exec roost-monitor MONITOR_JSON with fd 3 the start pipe's write end and fd 4 (when
// given) its first attach client; stdin and stdout on /dev/null and stderr on the monitor log,
// so that the monitor never holds the caller's terminal or a pipe the caller's caller reads to
// its end ($(roost run -d ...)).
pid_t spawn_monitor(const fs::path& program, const fs::path& config_path, int start_pipe, int attach_fd,
                    int log_fd) {
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork roost-monitor");
  if (pid > 0) return pid;
  // The child: only async-signal-safe calls until execv.
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0 || ::dup2(null, 0) < 0 || ::dup2(null, 1) < 0 || ::dup2(log_fd >= 0 ? log_fd : null, 2) < 0)
    ::_exit(127);
  if (::dup2(start_pipe, 3) < 0) ::_exit(127);
  if (attach_fd >= 0 ? ::dup2(attach_fd, 4) < 0 : (::close(4), false)) ::_exit(127);
  // No fd of roost's reaches the monitor: one close_range, not a close per possible number.
  if (::close_range(5, ~0U, 0) < 0)
    for (int fd = 5; fd < 1024; ++fd) ::close(fd);  // a kernel before 5.9
  reset_signals();
  const char* argv[] = {program.c_str(), config_path.c_str(), nullptr};
  ::execv(program.c_str(), const_cast<char* const*>(argv));
  ::_exit(127);
}

// The monitor's one line on fd 3 (monitor::StartReply); EOF with nothing: it died.
int read_start_answer(int fd, pid_t monitor) {
  std::string line;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read roost-monitor's answer");
    if (n == 0) break;
    line.append(buf, static_cast<size_t>(n));
    if (line.find('\n') != std::string::npos) break;
  }
  if (line.empty()) {
    int status = 0;
    ::waitpid(monitor, &status, 0);
    throw StartError("roost-monitor exited before the container started (" +
                         ProgramResult{status, false, ""}.describe() + ")",
                     125);
  }
  const monitor::StartReply reply = monitor::decode_start_reply(line.substr(0, line.find('\n')));
  if (!reply.ok()) throw StartError(reply.error, reply.exit_code ? reply.exit_code : 125);
  return reply.pid;
}

void record_start_error(ctr::ContainerStore& containers, const std::string& id, const std::string& error) {
  try {
    UniqueFd lock = containers.lock(id);
    ctr::ContainerState state = containers.state(id);
    if (is_active(state.status)) return;  // the monitor got further than its answer said
    state.error = error;
    state.monitor_pid = 0;
    state.monitor_start_time = 0;
    containers.write_state(id, state);
  } catch (const Error&) {
    // Removed meanwhile (--rm by a monitor that failed): nothing to record it in.
  }
}

// The upper dir's attributes are what the container sees on its "/" (overlayfs shows the upper
// dir's for the root). As containers/storage does, it takes the mode of the image's top layer
// root (0755 unless a layer's "./" entry said otherwise; 0755 with no layer), so any user inside
// can walk "/". Set once, at creation, whatever the umask: a later chmod of "/" inside the
// container is the container's business.
void make_upper_dir(const fs::path& upper, const std::vector<fs::path>& lowers_top_first) {
  mode_t mode = 0755;
  struct stat top {};
  if (!lowers_top_first.empty() && ::stat(lowers_top_first.front().c_str(), &top) == 0) mode = top.st_mode & 07777;
  if (::mkdir(upper.c_str(), 0700) == 0) {
    if (::chmod(upper.c_str(), mode) < 0) throw_errno("chmod " + upper.string());
  } else if (errno != EEXIST) {
    throw_errno("mkdir " + upper.string());
  }
}

}  // namespace

ctr::OuterIds outer_ids() {
  ctr::OuterIds out;
  auto read = [](const char* file, uint32_t& self, uint32_t& count) {
    for (const std::string& line : split(read_file(file), '\n')) {
      unsigned long inside = 0, outside = 0, size = 0;
      if (std::sscanf(line.c_str(), "%lu %lu %lu", &inside, &outside, &size) != 3) continue;
      if (inside == 0) self = static_cast<uint32_t>(outside);
      count = static_cast<uint32_t>(std::max<unsigned long>(count, inside + size));
    }
  };
  read("/proc/self/uid_map", out.host_uid, out.uid_count);
  read("/proc/self/gid_map", out.host_gid, out.gid_count);
  return out;
}

// The addresses slirp4netns gives the container: from its cidr= option, else 10.0.2.0/24.
static ns::ChildAddresses slirp4netns_addresses(const ctr::ContainerConfig& config) {
  ns::NetworkOptions options;
  ns::apply_slirp4netns_mode_options(config.network_options, options);
  return ns::child_addresses(ns::driver_cidr(options));
}

std::string container_ip(const ctr::ContainerConfig& config) {
  return config.network == "slirp4netns" ? slirp4netns_addresses(config).ip : "127.0.0.1";
}

std::string hosts_file(const ctr::ContainerConfig& config, const std::string& ip) {
  std::string out =
      "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
      "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n";
  for (const std::string& entry : config.add_hosts) {
    // "name:ip" (an IPv6 address holds colons: the name is up to the first one).
    const size_t colon = entry.find(':');
    if (colon == std::string::npos) continue;
    out += entry.substr(colon + 1) + "\t" + entry.substr(0, colon) + "\n";
  }
  out += ip + "\t" + config.hostname + (config.name.empty() || config.name == config.hostname ? "" : " " + config.name) + "\n";
  return out;
}

std::string resolv_conf(const ctr::ContainerConfig& config, const std::string& host_resolv_conf) {
  if (!config.dns.empty()) {
    std::string out;
    for (const std::string& server : config.dns) out += "nameserver " + server + "\n";
    return out;
  }
  if (config.network == "slirp4netns") return "nameserver " + slirp4netns_addresses(config).dns + "\n";
  if (config.network == "host") return host_resolv_conf;
  std::string out;
  bool ipv4_server = false;
  for (const std::string& line : split(host_resolv_conf, '\n')) {
    if (line.empty()) continue;
    if (line.starts_with("nameserver")) {
      std::string server = line.substr(10);
      server.erase(0, server.find_first_not_of(" \t"));
      server.erase(server.find_last_not_of(" \t\r") + 1);
      if (server.starts_with("127.") || server == "::1") continue;
      ipv4_server = ipv4_server || server.find(':') == std::string::npos;
    }
    out += line + "\n";
  }
  // A user-defined network (IPv4 only) with no IPv4 resolver of the host's but loopback ones
  // (systemd-resolved's 127.0.0.53): slirp4netns's DNS forwarder, reached through the rootless
  // network namespace's way out (monitor/rootless_outbound), asks them from the host.
  if (!ctr::is_network_mode(config.network) && !ipv4_server) out += "nameserver 10.0.2.3\n";
  return out;
}

StartResult start_container(ctr::ContainerStore& containers, const std::string& id, const StartOptions& options) {
  const store::UsernsSession& session = store::enter_user_namespace();
  StartResult result;
  UniqueFd lock = containers.lock(id);
  const ctr::ContainerConfig config = container_config(containers, id);
  ctr::ContainerState state = current_state(containers, id);
  if (is_active(state.status)) {
    result.already_running = true;
    result.pid = state.pid;
    return result;
  }
  const ctr::ContainerPaths paths = containers.paths(id);

  try {
    make_dirs(paths.run_dir.string(), 0700);
    make_dirs(paths.rootfs().string(), 0700);
    const ImageLayers layers = image_layers(containers, config);
    // The rootfs's / is the upper dir's root: the image's top layer's mode (make_upper_dir).
    make_upper_dir(paths.upper(), layers.lowers_top_first);
    make_dirs(paths.work().string(), 0700);
    const store::LayerIdMap ids = layer_id_map(config, session);
    const bool maps_the_user = std::any_of(ids.uid.begin(), ids.uid.end(), [](const oci::IdMapping& m) { return m.host_id == 0; });
    if (!ids.empty() && !maps_the_user && !session.real_root) {
      // Nothing inside maps to the user (host id 0 here): reaching the rootfs and the bundle's
      // files needs search permission for others on their directories.
      make_dirs(paths.bundle().string(), 0700);
      for (const fs::path& p : {paths.rootfs(), paths.bundle()}) store::make_reachable(p);
    }
    RootfsMount rootfs(layers.lowers_top_first, paths.rootfs(), layers.driver,
                      {paths.upper(), paths.work(), config.auto_remove}, ids);
    write_bundle(containers, config, paths, session);
    write_file_atomic(paths.monitor_config().string(), monitor::to_json(monitor_config(containers, config, paths)), 0600);

    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw_errno("make the monitor's start pipe");
    UniqueFd answer_read(pipe_fds[0]), answer_write(pipe_fds[1]);
    UniqueFd monitor_end;
    if (options.attach) {
      const auto window = config.tty ? monitor::terminal_size(STDIN_FILENO) : std::nullopt;
      result.attach = monitor::attach_pair(options.attach_stdin, window, monitor_end);
    }
    const UniqueFd monitor_log = open_monitor_log(containers.run_root());
    const pid_t monitor = spawn_monitor(helper_program("roost-monitor"), paths.monitor_config(), answer_write.get(),
                                        monitor_end ? monitor_end.get() : -1, monitor_log.get());
    answer_write.reset();
    monitor_end.reset();
    // The lock stays held until the monitor has answered: a concurrent start or rm waits for the
    // outcome (the monitor writes its first state without taking it, knowing we hold it).
    result.pid = read_start_answer(answer_read.get(), monitor);
    rootfs.release();
    return result;
  } catch (const Error& e) {
    result.attach.reset();
    lock.reset();
    record_start_error(containers, id, e.what());
    throw;
  }
}

}  // namespace roost::engine
