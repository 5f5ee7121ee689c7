// Status names and the JSON round trips of the container records (ctr/container_json.hpp).
#include "ctr/container.hpp"

#include "ctr/container_json.hpp"
#include "util/error.hpp"

namespace roost::ctr {

namespace {

constexpr std::pair<Status, const char*> kStatusNames[] = {
    {Status::Created, "created"}, {Status::Running, "running"}, {Status::Paused, "paused"},
    {Status::Stopping, "stopping"}, {Status::Exited, "exited"}, {Status::Removing, "removing"},
};

// Reads j[key] into out when present and not null; a value of the wrong type names the key.
template <typename T>
void read_field(const nlohmann::json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  try {
    out = it->get<T>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("container record: key \"") + key + "\": " + e.what());
  }
}

void require_object(const nlohmann::json& j, const char* what) {
  if (!j.is_object()) throw Error(std::string(what) + " is not a JSON object");
}

nlohmann::json parse_text(const std::string& text, const char* what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string(what) + ": " + e.what());
  }
}

}  // namespace

const char* status_name(Status s) {
  for (const auto& [status, name] : kStatusNames)
    if (status == s) return name;
  return "unknown";
}

Status status_from_name(const std::string& name) {
  for (const auto& [status, n] : kStatusNames)
    if (name == n) return status;
  throw Error("unknown container status \"" + name + "\"");
}

void to_json(nlohmann::json& j, const PortMapping& p) {
  j = {{"host_ip", p.host_ip}, {"host_port", p.host_port}, {"container_port", p.container_port},
       {"protocol", p.protocol}};
}

void from_json(const nlohmann::json& j, PortMapping& p) {
  require_object(j, "a port mapping");
  read_field(j, "host_ip", p.host_ip);
  read_field(j, "host_port", p.host_port);
  read_field(j, "container_port", p.container_port);
  read_field(j, "protocol", p.protocol);
}

void to_json(nlohmann::json& j, const MountRequest& m) {
  j = {{"type", m.type}, {"source", m.source}, {"destination", m.destination}, {"options", m.options},
       {"read_only", m.read_only}};
}

void from_json(const nlohmann::json& j, MountRequest& m) {
  require_object(j, "a mount");
  read_field(j, "type", m.type);
  read_field(j, "source", m.source);
  read_field(j, "destination", m.destination);
  read_field(j, "options", m.options);
  read_field(j, "read_only", m.read_only);
}

void to_json(nlohmann::json& j, const RestartPolicy& r) {
  j = {{"name", r.name}, {"max_retries", r.max_retries}};
}

void from_json(const nlohmann::json& j, RestartPolicy& r) {
  require_object(j, "a restart policy");
  read_field(j, "name", r.name);
  read_field(j, "max_retries", r.max_retries);
}

void to_json(nlohmann::json& j, const ContainerConfig& c) {
  j = nlohmann::json::object();
  j["id"] = c.id;
  j["name"] = c.name;
  j["image_id"] = c.image_id;
  j["image_name"] = c.image_name;
  j["created"] = c.created;
  j["args"] = c.args;
  j["env"] = c.env;
  j["working_dir"] = c.working_dir;
  j["create_working_dir"] = c.create_working_dir;
  j["user"] = c.user;
  j["hostname"] = c.hostname;
  j["add_hosts"] = c.add_hosts;
  j["dns"] = c.dns;
  j["network"] = c.network;
  j["network_options"] = c.network_options;
  j["ports"] = c.ports;
  j["mounts"] = c.mounts;
  j["labels"] = c.labels;
  j["restart"] = c.restart;
  j["auto_remove"] = c.auto_remove;
  j["tty"] = c.tty;
  j["interactive"] = c.interactive;
  j["read_only"] = c.read_only;
  j["privileged"] = c.privileged;
  j["init"] = c.init;
  j["no_new_privileges"] = c.no_new_privileges;
  j["cap_add"] = c.cap_add;
  j["cap_drop"] = c.cap_drop;
  j["seccomp_profile"] = c.seccomp_profile;
  j["stop_signal"] = c.stop_signal;
  j["stop_timeout"] = c.stop_timeout;
  j["memory_limit"] = c.memory_limit;
  j["cpu_quota"] = c.cpu_quota;
  j["cpu_period"] = c.cpu_period;
  j["pids_limit"] = c.pids_limit;
  j["userns"] = c.userns;
  j["uid_maps"] = c.uid_maps;
  j["gid_maps"] = c.gid_maps;
  j["exposed_ports"] = c.exposed_ports;
  j["stop_signal_from_image"] = c.stop_signal_from_image;
}

void from_json(const nlohmann::json& j, ContainerConfig& c) {
  require_object(j, "container.json");
  read_field(j, "id", c.id);
  read_field(j, "name", c.name);
  read_field(j, "image_id", c.image_id);
  read_field(j, "image_name", c.image_name);
  read_field(j, "created", c.created);
  read_field(j, "args", c.args);
  read_field(j, "env", c.env);
  read_field(j, "working_dir", c.working_dir);
  read_field(j, "create_working_dir", c.create_working_dir);
  read_field(j, "user", c.user);
  read_field(j, "hostname", c.hostname);
  read_field(j, "add_hosts", c.add_hosts);
  read_field(j, "dns", c.dns);
  read_field(j, "network", c.network);
  read_field(j, "network_options", c.network_options);
  read_field(j, "ports", c.ports);
  read_field(j, "mounts", c.mounts);
  read_field(j, "labels", c.labels);
  read_field(j, "restart", c.restart);
  read_field(j, "auto_remove", c.auto_remove);
  read_field(j, "tty", c.tty);
  read_field(j, "interactive", c.interactive);
  read_field(j, "read_only", c.read_only);
  read_field(j, "privileged", c.privileged);
  read_field(j, "init", c.init);
  read_field(j, "no_new_privileges", c.no_new_privileges);
  read_field(j, "cap_add", c.cap_add);
  read_field(j, "cap_drop", c.cap_drop);
  read_field(j, "seccomp_profile", c.seccomp_profile);
  read_field(j, "stop_signal", c.stop_signal);
  read_field(j, "stop_timeout", c.stop_timeout);
  read_field(j, "memory_limit", c.memory_limit);
  read_field(j, "cpu_quota", c.cpu_quota);
  read_field(j, "cpu_period", c.cpu_period);
  read_field(j, "pids_limit", c.pids_limit);
  read_field(j, "userns", c.userns);
  read_field(j, "uid_maps", c.uid_maps);
  read_field(j, "gid_maps", c.gid_maps);
  read_field(j, "exposed_ports", c.exposed_ports);
  read_field(j, "stop_signal_from_image", c.stop_signal_from_image);
}

void to_json(nlohmann::json& j, const ContainerState& s) {
  j = nlohmann::json::object();
  j["status"] = status_name(s.status);
  j["pid"] = s.pid;
  j["pid_start_time"] = s.pid_start_time;
  j["monitor_pid"] = s.monitor_pid;
  j["monitor_start_time"] = s.monitor_start_time;
  j["started_at"] = s.started_at;
  j["finished_at"] = s.finished_at;
  j["exit_code"] = s.exit_code ? nlohmann::json(*s.exit_code) : nlohmann::json(nullptr);
  j["oom_killed"] = s.oom_killed;
  j["restart_count"] = s.restart_count;
  j["stopped_by_user"] = s.stopped_by_user;
  j["error"] = s.error;
  j["ports"] = s.ports;
}

void from_json(const nlohmann::json& j, ContainerState& s) {
  require_object(j, "state.json");
  std::string status = status_name(s.status);
  read_field(j, "status", status);
  s.status = status_from_name(status);
  read_field(j, "pid", s.pid);
  read_field(j, "pid_start_time", s.pid_start_time);
  read_field(j, "monitor_pid", s.monitor_pid);
  read_field(j, "monitor_start_time", s.monitor_start_time);
  read_field(j, "started_at", s.started_at);
  read_field(j, "finished_at", s.finished_at);
  if (auto it = j.find("exit_code"); it != j.end() && !it->is_null()) {
    int code = 0;
    read_field(j, "exit_code", code);
    s.exit_code = code;
  }
  read_field(j, "oom_killed", s.oom_killed);
  read_field(j, "restart_count", s.restart_count);
  read_field(j, "stopped_by_user", s.stopped_by_user);
  read_field(j, "error", s.error);
  read_field(j, "ports", s.ports);
}

std::string config_to_json_text(const ContainerConfig& c) { return nlohmann::json(c).dump(2) + "\n"; }

ContainerConfig config_from_json_text(const std::string& text) {
  return parse_text(text, "container.json").get<ContainerConfig>();
}

std::string state_to_json_text(const ContainerState& s) { return nlohmann::json(s).dump(2) + "\n"; }

ContainerState state_from_json_text(const std::string& text) {
  return parse_text(text, "state.json").get<ContainerState>();
}

}  // namespace roost::ctr
