// The whole input of roost-monitor (docs/ARCHITECTURE.md (roost's containers)): the engine writes
// it to run_dir/monitor.json and starts `roost-monitor run_dir/monitor.json` with fd 3 the start
// pipe (one JSON line back: {"pid":N} once the container runs, or {"error":"one line"}) and, for a
// foreground run, fd 4 the first attach client (already attached, before the container starts).
#pragma once

#include <string>
#include <vector>

#include "ctr/container.hpp"

namespace roost::monitor {

struct MonitorConfig {
  std::string id;
  std::string runtime;        // path of roost-runtime
  std::string runtime_root;   // its --root
  std::string bundle;         // the bundle dir (config.json inside, root.path absolute)
  std::string log_path;       // ctr.log (k8s-file)
  std::string state_path;     // state.json (ctr::ContainerState)
  std::string lock_path;      // the container's lock, taken around state writes
  std::string ctl_socket;     // where to listen
  std::string run_dir;        // for the console socket and the netns file
  std::string data_dir;       // containers/<id> (what --rm removes, with run_dir)
  std::string name_file;      // containers/names/<name> (what --rm removes)
  bool tty = false;
  bool stdin_open = false;    // -i
  // Network: "none" and "host" need no helper; "slirp4netns" and "pasta" get a new network
  // namespace (bound on netns_path) that config.json's network namespace names by path.
  std::string network = "slirp4netns";
  std::vector<std::string> network_options;  // slirp4netns's, as ctr::ContainerConfig's
  std::string netns_path;
  std::vector<ctr::PortMapping> ports;
  ctr::RestartPolicy restart;
  bool auto_remove = false;
  std::string stop_signal = "SIGTERM";
  int stop_timeout = 10;
  // The container's cgroup v2 directory (absolute, under /sys/fs/cgroup), when it has one: its
  // memory.events says whether the init died of the OOM killer. "" = none (no OOM detection).
  std::string cgroup_path;
};

std::string to_json(const MonitorConfig& config);
MonitorConfig monitor_config_from_json(const std::string& text);  // roost::Error when malformed

}  // namespace roost::monitor
