#include "engine/container_inspect.hpp"

#include <csignal>
#include <cstring>

#include "engine/container_context.hpp"
#include "util/error.hpp"

namespace roost::engine {
namespace {

using ojson = nlohmann::ordered_json;

std::string or_zero_time(const std::string& t) { return t.empty() ? kGoZeroTimeText : t; }

// "SIGTERM" -> 15, as podman's Config.StopSignal is a number.
int signal_number(const std::string& name) {
  for (int n = 1; n < NSIG; ++n) {
    const char* abbrev = sigabbrev_np(n);
    if (abbrev && (name == std::string("SIG") + abbrev || name == abbrev)) return n;
  }
  return std::atoi(name.c_str());
}

// "80/tcp" -> [{"HostIp":"127.0.0.1","HostPort":"8080"}], in the order given.
ojson port_bindings(const std::vector<ctr::PortMapping>& ports) {
  ojson out = ojson::object();
  for (const auto& p : ports) {
    const std::string key = std::to_string(p.container_port) + "/" + p.protocol;
    if (!out.contains(key)) out[key] = ojson::array();
    out[key].push_back({{"HostIp", p.host_ip}, {"HostPort", std::to_string(p.host_port)}});
  }
  return out;
}

ojson mounts_json(const ctr::ContainerConfig& c) {
  ojson out = ojson::array();
  for (const auto& m : c.mounts) {
    ojson j;
    j["Type"] = m.type;
    if (m.type == "volume") j["Name"] = m.source;
    j["Source"] = m.source;
    j["Destination"] = m.destination;
    j["Driver"] = m.type == "volume" ? "local" : "";
    j["Mode"] = "";
    j["Options"] = m.options;
    j["RW"] = !m.read_only;
    j["Propagation"] = m.type == "bind" ? "rprivate" : "";
    out.push_back(j);
  }
  return out;
}

ojson state_json(const ctr::ContainerState& s) {
  ojson j;
  j["OciVersion"] = "1.0.2";
  j["Status"] = ctr::status_name(s.status);
  j["Running"] = s.status == ctr::Status::Running;
  j["Paused"] = s.status == ctr::Status::Paused;
  j["Restarting"] = false;
  j["OOMKilled"] = s.oom_killed;
  j["Dead"] = false;
  j["Pid"] = is_active(s.status) ? s.pid : 0;
  j["ConmonPid"] = is_active(s.status) ? s.monitor_pid : 0;
  j["ExitCode"] = s.exit_code.value_or(0);
  j["Error"] = s.error;
  j["StartedAt"] = or_zero_time(s.started_at);
  j["FinishedAt"] = or_zero_time(s.finished_at);
  return j;
}

ojson config_json(const ctr::ContainerConfig& c) {
  ojson j;
  j["Hostname"] = c.hostname;
  j["Domainname"] = "";
  j["User"] = c.user;
  j["AttachStdin"] = false;
  j["AttachStdout"] = false;
  j["AttachStderr"] = false;
  j["Tty"] = c.tty;
  j["OpenStdin"] = c.interactive;
  j["StdinOnce"] = false;
  j["Env"] = c.env;
  j["Cmd"] = c.args;
  j["Image"] = c.image_name;
  j["Volumes"] = nullptr;
  j["WorkingDir"] = c.working_dir;
  j["Entrypoint"] = "";
  j["OnBuild"] = nullptr;
  j["Labels"] = c.labels.empty() ? ojson() : ojson(c.labels);
  j["Annotations"] = {{"io.podman.annotations.autoremove", c.auto_remove ? "TRUE" : "FALSE"},
                      {"io.podman.annotations.init", c.init ? "TRUE" : "FALSE"},
                      {"io.podman.annotations.privileged", c.privileged ? "TRUE" : "FALSE"}};
  j["StopSignal"] = signal_number(c.stop_signal);
  j["StopTimeout"] = c.stop_timeout;
  return j;
}

ojson host_config_json(const ctr::ContainerConfig& c, const ctr::ContainerPaths& paths) {
  ojson j;
  ojson binds = ojson::array();
  for (const auto& m : c.mounts)
    if (m.type == "bind" || m.type == "volume")
      binds.push_back(m.source + ":" + m.destination + (m.options.empty() ? "" : ":" + [&] {
                        std::string o;
                        for (size_t i = 0; i < m.options.size(); ++i) o += (i ? "," : "") + m.options[i];
                        return o;
                      }()));
  j["Binds"] = binds;
  j["CgroupManager"] = "cgroupfs";
  j["ContainerIDFile"] = "";
  j["LogConfig"] = {{"Type", "k8s-file"}, {"Config", nullptr}, {"Path", paths.log().string()}, {"Tag", ""},
                    {"Size", "0B"}};
  j["NetworkMode"] = c.network;
  j["PortBindings"] = port_bindings(c.ports);
  j["RestartPolicy"] = {{"Name", c.restart.name == "no" ? "" : c.restart.name},
                        {"MaximumRetryCount", c.restart.max_retries}};
  j["AutoRemove"] = c.auto_remove;
  j["CapAdd"] = c.cap_add;
  j["CapDrop"] = c.cap_drop;
  j["Dns"] = c.dns;
  j["ExtraHosts"] = c.add_hosts;
  j["Init"] = c.init;
  j["Privileged"] = c.privileged;
  j["PublishAllPorts"] = false;
  j["ReadonlyRootfs"] = c.read_only;
  ojson security = ojson::array();
  if (c.no_new_privileges) security.push_back("no-new-privileges");
  if (c.seccomp_profile == "unconfined") security.push_back("seccomp=unconfined");
  j["SecurityOpt"] = security;
  ojson tmpfs = ojson::object();
  for (const auto& m : c.mounts)
    if (m.type == "tmpfs") {
      std::string o;
      for (size_t i = 0; i < m.options.size(); ++i) o += (i ? "," : "") + m.options[i];
      tmpfs[m.destination] = o;
    }
  j["Tmpfs"] = tmpfs;
  j["UsernsMode"] = c.userns;
  j["Memory"] = c.memory_limit;
  j["NanoCpus"] = c.cpu_period ? c.cpu_quota * 1000000000 / c.cpu_period : 0;
  j["CpuPeriod"] = c.cpu_period;
  j["CpuQuota"] = c.cpu_quota;
  j["PidsLimit"] = c.pids_limit;
  return j;
}

}  // namespace

nlohmann::ordered_json container_inspect_json(const ContainerView& view, const ctr::ContainerPaths& paths) {
  const ctr::ContainerConfig& c = view.config;
  const ctr::ContainerState& s = view.state;
  ojson j;
  j["Id"] = c.id;
  j["Created"] = c.created;
  j["Path"] = c.args.empty() ? "" : c.args.front();
  j["Args"] = c.args.size() > 1 ? std::vector<std::string>(c.args.begin() + 1, c.args.end()) : std::vector<std::string>{};
  j["State"] = state_json(s);
  j["Image"] = c.image_id.starts_with("sha256:") ? c.image_id.substr(7) : c.image_id;
  j["ImageName"] = c.image_name;
  j["Rootfs"] = "";
  j["ResolvConfPath"] = (paths.bundle() / "resolv.conf").string();
  j["HostnamePath"] = (paths.bundle() / "hostname").string();
  j["HostsPath"] = (paths.bundle() / "hosts").string();
  j["StaticDir"] = paths.dir.string();
  j["OCIConfigPath"] = (paths.bundle() / "config.json").string();
  j["OCIRuntime"] = "roost-runtime";
  j["Name"] = c.name;
  j["RestartCount"] = s.restart_count;
  j["Driver"] = "overlay";
  j["Mounts"] = mounts_json(c);
  j["NetworkSettings"] = {{"Ports", port_bindings(is_active(s.status) && !s.ports.empty() ? s.ports : c.ports)},
                          {"SandboxKey", c.network == "slirp4netns" || c.network == "pasta" ? paths.netns().string() : ""}};
  j["Config"] = config_json(c);
  j["HostConfig"] = host_config_json(c, paths);
  return j;
}

}  // namespace roost::engine
