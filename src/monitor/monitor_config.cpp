// monitor.json: the engine writes it, roost-monitor reads it. Keys are the fields' names; the ctr
// types (ports, restart policy) keep ctr's JSON spelling (ctr/container_json).
#include "monitor/monitor_config.hpp"

#include <nlohmann/json.hpp>

#include "ctr/container_json.hpp"
#include "ctr/network_store.hpp"
#include "util/error.hpp"

namespace roost::monitor {

using json = nlohmann::json;

std::string to_json(const MonitorConfig& c) {
  json j = {
      {"id", c.id},
      {"runtime", c.runtime},
      {"runtime_root", c.runtime_root},
      {"bundle", c.bundle},
      {"log_path", c.log_path},
      {"state_path", c.state_path},
      {"lock_path", c.lock_path},
      {"ctl_socket", c.ctl_socket},
      {"run_dir", c.run_dir},
      {"data_dir", c.data_dir},
      {"name_file", c.name_file},
      {"tty", c.tty},
      {"stdin_open", c.stdin_open},
      {"network", c.network},
      {"network_options", c.network_options},
      {"netns_path", c.netns_path},
      {"ports", c.ports},
      {"restart", c.restart},
      {"auto_remove", c.auto_remove},
      {"stop_signal", c.stop_signal},
      {"stop_timeout", c.stop_timeout},
      {"cgroup_path", c.cgroup_path},
  };
  return j.dump();
}

namespace {

template <typename T>
void take(const json& j, const char* key, T& field) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) it->get_to(field);
}

}  // namespace

MonitorConfig monitor_config_from_json(const std::string& text) {
  MonitorConfig c;
  try {
    const json j = json::parse(text);
    if (!j.is_object()) throw Error("not a JSON object");
    take(j, "id", c.id);
    take(j, "runtime", c.runtime);
    take(j, "runtime_root", c.runtime_root);
    take(j, "bundle", c.bundle);
    take(j, "log_path", c.log_path);
    take(j, "state_path", c.state_path);
    take(j, "lock_path", c.lock_path);
    take(j, "ctl_socket", c.ctl_socket);
    take(j, "run_dir", c.run_dir);
    take(j, "data_dir", c.data_dir);
    take(j, "name_file", c.name_file);
    take(j, "tty", c.tty);
    take(j, "stdin_open", c.stdin_open);
    take(j, "network", c.network);
    take(j, "network_options", c.network_options);
    take(j, "netns_path", c.netns_path);
    take(j, "ports", c.ports);
    take(j, "restart", c.restart);
    take(j, "auto_remove", c.auto_remove);
    take(j, "stop_signal", c.stop_signal);
    take(j, "stop_timeout", c.stop_timeout);
    take(j, "cgroup_path", c.cgroup_path);
  } catch (const json::exception& e) {
    throw Error(std::string("malformed monitor config: ") + e.what());
  } catch (const Error& e) {
    throw Error(std::string("malformed monitor config: ") + e.what());
  }
  for (const auto& [field, value] : {std::pair<const char*, const std::string*>{"id", &c.id},
                                     {"runtime", &c.runtime},
                                     {"bundle", &c.bundle},
                                     {"log_path", &c.log_path},
                                     {"state_path", &c.state_path},
                                     {"ctl_socket", &c.ctl_socket},
                                     {"run_dir", &c.run_dir}})
    if (value->empty()) throw Error(std::string("malformed monitor config: no \"") + field + "\"");
  // Any other name is a user-defined network's (monitor/user_network).
  const bool user_network = !ctr::is_network_mode(c.network);
  if (c.network != "none" && c.network != "host" && c.network != "slirp4netns" && c.network != "pasta" && !user_network)
    throw Error("malformed monitor config: unknown network \"" + c.network + "\"");
  if ((c.network == "slirp4netns" || c.network == "pasta" || user_network) && c.netns_path.empty())
    throw Error("malformed monitor config: network " + c.network + " needs \"netns_path\"");
  if (!c.network_options.empty() && c.network != "slirp4netns")
    throw Error("malformed monitor config: network " + c.network + " takes no options");
  if (c.stop_timeout < 0) throw Error("malformed monitor config: negative \"stop_timeout\"");
  return c;
}

}  // namespace roost::monitor
