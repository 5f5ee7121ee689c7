// The engine's container as data: what `roost create` decided (ContainerConfig, in
// containers/<id>/container.json) and what happened since (ContainerState, state.json, written
// by the container's monitor). Plain structs with JSON round trips; no I/O here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace roost::ctr {

// -p [ip:][hostPort:]containerPort[/tcp|udp], ranges expanded to one mapping per port.
struct PortMapping {
  std::string host_ip;     // "" = all addresses (0.0.0.0)
  int host_port = 0;       // 0 = a free port chosen at start (the chosen one goes in the state)
  int container_port = 0;
  std::string protocol = "tcp";  // "tcp" or "udp"
  bool operator==(const PortMapping&) const = default;
};

// -v, --mount, --tmpfs, and the image's Volumes, as podman reads them.
struct MountRequest {
  std::string type;        // "bind", "volume", "tmpfs"
  std::string source;      // host path (bind: absolute, made absolute from the caller's cwd), volume name
  std::string destination; // absolute path in the container
  std::vector<std::string> options;  // "ro", "rw", "z", "U", "nosuid", "size=64m", ...
  bool read_only = false;
  bool operator==(const MountRequest&) const = default;
};

struct RestartPolicy {
  std::string name = "no";  // "no", "on-failure", "always", "unless-stopped"
  int max_retries = 0;      // on-failure:N; 0 = no limit
  bool operator==(const RestartPolicy&) const = default;
};

// What `roost create`/`run` decided, with the image's config already applied (conversion.md):
// the process's args are Entrypoint + Cmd after --entrypoint and the command line.
struct ContainerConfig {
  std::string id;                  // 64 hex
  std::string name;
  std::string image_id;            // "sha256:..."
  std::string image_name;          // as the user wrote it, normalised ("docker.io/library/busybox:latest")
  std::string created;             // RFC 3339 with nanoseconds
  std::vector<std::string> args;   // the process: entrypoint + cmd
  std::vector<std::string> env;    // image env, then --env-file, then -e (later wins per key)
  std::string working_dir;         // "/" when neither image nor -w says
  bool create_working_dir = false; // it is the image's WorkingDir: made at start when missing (podman's
                                   // rule; a missing -w directory is an error, 126)
  std::string user;                // "" (root), "1000", "1000:1000", "name", "name:group" (resolved at start)
  std::string hostname;            // default: the short id
  std::vector<std::string> add_hosts;  // "name:ip"
  std::vector<std::string> dns;
  std::string network = "slirp4netns";  // none, host, slirp4netns, pasta, or a user-defined network's name
  // --network slirp4netns:OPTIONS's words ("allow_host_loopback=true", "mtu=1500"), checked at
  // create (ns/net/slirp4netns_mode_options) and applied by the monitor.
  std::vector<std::string> network_options;
  std::vector<PortMapping> ports;
  std::vector<MountRequest> mounts;
  std::map<std::string, std::string> labels;
  RestartPolicy restart;
  bool auto_remove = false;        // --rm
  bool tty = false;                // -t
  bool interactive = false;        // -i: stdin kept open
  bool read_only = false;          // --read-only
  bool privileged = false;
  bool init = false;               // --init
  bool no_new_privileges = false;
  std::vector<std::string> cap_add, cap_drop;  // "CAP_NET_RAW" or "ALL"
  std::string seccomp_profile;     // "" default profile, "unconfined", or a file's contents
  std::string stop_signal = "SIGTERM";
  int stop_timeout = 10;
  int64_t memory_limit = 0;        // bytes; 0 = none
  int64_t cpu_quota = 0, cpu_period = 0;  // --cpus N: quota = N * period (100000)
  int64_t pids_limit = 0;
  std::string userns;              // "", "host", "keep-id", "nomap"
  std::vector<std::string> uid_maps, gid_maps;  // --uidmap/--gidmap "ctr:host:size"
  std::vector<std::string> exposed_ports;       // from the image and --expose, "80/tcp"
  std::string stop_signal_from_image;           // the image's StopSignal, for inspect
  bool operator==(const ContainerConfig&) const = default;
};

enum class Status { Created, Running, Paused, Stopping, Exited, Removing };
const char* status_name(Status s);  // podman's words: "created", "running", "paused", "stopping", "exited", "removing"
Status status_from_name(const std::string& name);  // status_name's inverse; roost::Error for others

// What happened to it. The monitor writes it; readers take no lock (temp file + rename).
struct ContainerState {
  Status status = Status::Created;
  int pid = 0;                     // the init's pid in the caller's pid namespace; 0 when none
  uint64_t pid_start_time = 0;     // /proc/PID/stat field 22, so a reused pid is not taken for it
  int monitor_pid = 0;
  uint64_t monitor_start_time = 0;
  std::string started_at;          // RFC 3339; "" before the first start
  std::string finished_at;
  std::optional<int> exit_code;    // 128+N for death by signal N
  bool oom_killed = false;
  int restart_count = 0;
  bool stopped_by_user = false;    // roost stop/kill: the restart policy does not apply
  std::string error;               // why the last start failed, one line
  std::vector<PortMapping> ports;  // as bound (host_port resolved when it was 0)
  bool operator==(const ContainerState&) const = default;
};

}  // namespace roost::ctr
