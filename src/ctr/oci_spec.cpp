// config.json for a container, podman 4.3's rootless default as the model (its config.json for
// `podman run -d busybox sleep` was compared field by field):
// - namespaces pid, ipc, uts, mount, cgroup, and network unless --network host; no user
//   namespace: the container shares the monitor's (docs/ARCHITECTURE.md (roost's containers)),
//   unless --userns or --uidmap ask for a nested one, whose maps are written relative to the
//   monitor's namespace (nested_id_maps below).
// - podman's 11 default capabilities in bounding, effective and permitted; --cap-add/--cap-drop;
//   --privileged: all, no seccomp, no masked or read-only paths, /sys and cgroups writable.
// - seccomp: roost-runtime's default profile (oci/default_seccomp) with the syscalls of the
//   container's capabilities allowed (chroot with CAP_SYS_CHROOT, mount & co. with CAP_SYS_ADMIN,
//   ..., as podman's profile), "unconfined", or the JSON of --security-opt seccomp=FILE as given.
// - RLIMIT_NOFILE and RLIMIT_NPROC at 1048576 or the caller's hard limit when lower (podman's
//   rootless rule: a user namespace cannot raise a hard limit).
// - env: the record's, then TERM=xterm (podman sets it with or without -t), HOME from passwd and
//   HOSTNAME, each unless the record sets it.
// - mounts: /proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys (sysfs when the container has a
//   network namespace its user namespace owns, else a read-only rbind of the host's /sys, which
//   is all an unprivileged user may mount), /sys/fs/cgroup, the bundle's /etc/hosts,
//   /etc/resolv.conf, /etc/hostname, then the user's mounts in order; a default whose
//   destination the user mounts is left out. --read-only adds podman's tmpfs on /run, /tmp and
//   /var/tmp.
// - Mount options of -v/--mount: z and Z (SELinux relabels) have no meaning here and are
//   dropped; U (chown the source to the container's root) is done by the engine at start, so
//   the runtime never sees it; copy/nocopy concern the engine's volume set-up too.
#include "ctr/oci_spec.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "oci/default_seccomp.hpp"
#include "sys/capabilities.hpp"
#include "sys/signals.hpp"
#include "util/error.hpp"

namespace roost::ctr {

namespace {

using json = nlohmann::ordered_json;

constexpr uint64_t kDefaultRlimit = 1048576;

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::string cap_name(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  if (name != "ALL" && name.rfind("CAP_", 0) != 0) name = "CAP_" + name;
  return name;
}

std::string env_key(const std::string& entry) { return entry.substr(0, entry.find('=')); }

bool env_has(const std::vector<std::string>& env, const std::string& key) {
  return std::any_of(env.begin(), env.end(), [&](const std::string& e) { return env_key(e) == key; });
}

json mount(const std::string& dest, const std::string& type, const std::string& source, std::vector<std::string> options) {
  json m = {{"destination", dest}, {"type", type}, {"source", source}};
  if (!options.empty()) m["options"] = std::move(options);
  return m;
}

// "ctr:host:size" of --uidmap/--gidmap.
json parse_id_map(const std::string& spec, const char* flag) {
  const auto bad = Error(std::string("invalid ") + flag + " \"" + spec + "\": want CONTAINER_ID:HOST_ID:SIZE");
  uint64_t v[3];
  size_t start = 0;
  for (int i = 0; i < 3; ++i) {
    const size_t end = i < 2 ? spec.find(':', start) : spec.size();
    if (end == std::string::npos) throw bad;
    const std::string part = spec.substr(start, end - start);
    if (part.empty() || part.size() > 10 || part.find_first_not_of("0123456789") != std::string::npos) throw bad;
    v[i] = std::stoull(part);
    if (v[i] > 0xffffffffULL) throw bad;
    start = end + 1;
  }
  if (v[2] == 0) throw bad;
  return {{"containerID", v[0]}, {"hostID", v[1]}, {"size", v[2]}};
}

// The maps of a nested user namespace, in the ids of the namespace it is made in (the
// monitor's: 0 is the user, 1..count-1 the subordinate range). podman's meanings:
// - keep-id: the user keeps their uid U: container 0..U-1 -> outer 1..U (subordinate ids),
//   U -> outer 0 (the user), U+1.. -> outer U+1.. (the rest of the range);
// - nomap: the user's own id is not mapped at all: container 0.. -> outer 1..;
// - --uidmap/--gidmap: as given (podman's rootless rule: host ids are the outer namespace's);
//   only --uidmap given: it serves for the gids too.
struct NestedMaps {
  json uid = json::array(), gid = json::array();
};

json keep_id_map(uint32_t id, uint32_t count) {
  if (count < 2 || id >= count)
    throw Error("--userns=keep-id needs a subordinate id range in /etc/subuid and /etc/subgid that covers id " +
                std::to_string(id));
  json out = json::array();
  if (id > 0) out.push_back({{"containerID", 0}, {"hostID", 1}, {"size", id}});
  out.push_back({{"containerID", id}, {"hostID", 0}, {"size", 1}});
  if (count - 1 > id) out.push_back({{"containerID", id + 1}, {"hostID", id + 1}, {"size", count - 1 - id}});
  return out;
}

std::optional<NestedMaps> nested_id_maps(const SpecInputs& in) {
  const ContainerConfig& c = in.config;
  if (!c.uid_maps.empty() || !c.gid_maps.empty()) {
    NestedMaps maps;
    for (const auto& m : c.uid_maps) maps.uid.push_back(parse_id_map(m, "--uidmap"));
    for (const auto& m : (c.gid_maps.empty() ? c.uid_maps : c.gid_maps)) maps.gid.push_back(parse_id_map(m, "--gidmap"));
    if (maps.uid.empty()) maps.uid = maps.gid;
    return maps;
  }
  if (c.userns.empty() || c.userns == "host") return std::nullopt;
  if (in.real_root) throw Error("--userns=" + c.userns + " is only supported in rootless mode");
  if (c.userns == "keep-id") return NestedMaps{keep_id_map(in.outer.host_uid, in.outer.uid_count),
                                                keep_id_map(in.outer.host_gid, in.outer.gid_count)};
  if (c.userns == "nomap") {
    if (in.outer.uid_count < 2 || in.outer.gid_count < 2)
      throw Error("--userns=nomap needs a subordinate id range in /etc/subuid and /etc/subgid");
    return NestedMaps{json::array({{{"containerID", 0}, {"hostID", 1}, {"size", in.outer.uid_count - 1}}}),
                      json::array({{{"containerID", 0}, {"hostID", 1}, {"size", in.outer.gid_count - 1}}})};
  }
  throw Error("unsupported --userns mode \"" + c.userns + "\": roost knows host, keep-id and nomap");
}

// A mount of the user's (-v, --mount, --tmpfs, the image's Volumes) as the runtime takes it.
json user_mount(const MountRequest& m, const SpecInputs& in) {
  std::vector<std::string> options;
  bool propagation = false, bind_kind = false;
  for (const auto& o : m.options) {
    if (o == "z" || o == "Z" || o == "U" || o == "copy" || o == "nocopy") continue;  // see the top of this file
    if (o == "bind" || o == "rbind") bind_kind = true;
    if (o.find("private") != std::string::npos || o.find("shared") != std::string::npos ||
        o.find("slave") != std::string::npos || o.find("unbindable") != std::string::npos)
      propagation = true;
    options.push_back(o);
  }
  if (m.read_only) options.push_back("ro");
  if (m.type == "tmpfs") return mount(m.destination, "tmpfs", "tmpfs", std::move(options));

  std::string source = m.source;
  if (m.type == "volume") {
    auto it = in.volume_sources.find(m.destination);
    if (it == in.volume_sources.end() || it->second.empty())
      throw Error("no volume directory was resolved for the volume at " + m.destination);
    source = it->second;
    // podman's defaults for a volume: nosuid and nodev unless the user said otherwise.
    std::vector<std::string> defaults;
    if (!has(options, "suid")) defaults.push_back("nosuid");
    if (!has(options, "dev")) defaults.push_back("nodev");
    options.insert(options.begin(), defaults.begin(), defaults.end());
  } else if (m.type != "bind") {
    throw Error("unknown mount type \"" + m.type + "\" for " + m.destination);
  }
  if (!bind_kind) options.insert(options.begin(), "rbind");
  if (!propagation) options.push_back("rprivate");
  return mount(m.destination, "bind", source, std::move(options));
}

json capability_sets(const std::vector<std::string>& caps) {
  return {{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
}

// The syscalls the default profile refuses because they need a capability the default set lacks:
// granted that capability, the container may make them (podman's profile has the same rules).
struct CapabilitySyscalls {
  const char* capability;
  std::vector<std::string> syscalls;
};

const std::vector<CapabilitySyscalls>& capability_syscalls() {
  static const std::vector<CapabilitySyscalls> table = {
      {"CAP_SYS_ADMIN",
       {"mount", "umount", "umount2", "mount_setattr", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount",
        "fspick", "pivot_root", "unshare", "setns", "sethostname", "setdomainname", "quotactl", "quotactl_fd"}},
      {"CAP_SYS_CHROOT", {"chroot"}},
      {"CAP_SYS_TIME", {"settimeofday", "stime", "clock_settime", "clock_settime64"}},
      {"CAP_SYS_MODULE", {"init_module", "finit_module", "delete_module"}},
      {"CAP_SYS_BOOT", {"reboot"}},
      {"CAP_SYS_PACCT", {"acct"}},
      {"CAP_SYS_RAWIO", {"iopl", "ioperm"}},
      {"CAP_SYSLOG", {"syslog"}},
      {"CAP_SYS_NICE", {"mbind", "set_mempolicy", "migrate_pages", "move_pages"}},
      {"CAP_BPF", {"bpf"}},
      {"CAP_PERFMON", {"perf_event_open"}},
      {"CAP_DAC_READ_SEARCH", {"open_by_handle_at"}},
  };
  return table;
}

// roost-runtime's default profile, opened up for the capabilities the container has.
json default_seccomp_for(const std::vector<std::string>& caps) {
  json profile = oci::default_seccomp_profile();
  std::vector<std::string> allow;
  for (const auto& entry : capability_syscalls())
    if (has(caps, entry.capability)) allow.insert(allow.end(), entry.syscalls.begin(), entry.syscalls.end());
  if (allow.empty()) return profile;
  for (auto& rule : profile["syscalls"]) {
    if (rule["action"] != "SCMP_ACT_ERRNO") continue;
    json kept = json::array();
    for (const auto& name : rule["names"])
      if (!has(allow, name.get<std::string>())) kept.push_back(name);
    rule["names"] = kept;
  }
  // A rule must name a syscall: one emptied by the grants goes.
  json rules = json::array();
  for (auto& rule : profile["syscalls"])
    if (!rule["names"].empty()) rules.push_back(std::move(rule));
  rules.push_back({{"names", allow}, {"action", "SCMP_ACT_ALLOW"}});
  // New namespaces by clone, which the default rule refuses by its flags.
  if (has(caps, "CAP_SYS_ADMIN")) rules.push_back({{"names", {"clone"}}, {"action", "SCMP_ACT_ALLOW"}});
  profile["syscalls"] = std::move(rules);
  return profile;
}

json seccomp_of(const ContainerConfig& c, const std::vector<std::string>& caps) {
  if (c.privileged || c.seccomp_profile == "unconfined") return nullptr;
  if (c.seccomp_profile.empty()) return default_seccomp_for(caps);
  json profile;
  try {
    profile = json::parse(c.seccomp_profile);
  } catch (const json::exception& e) {
    throw Error(std::string("the seccomp profile is not valid JSON: ") + e.what());
  }
  if (!profile.is_object()) throw Error("the seccomp profile is not a JSON object");
  return profile;
}

}  // namespace

const std::vector<std::string>& default_capabilities() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",       "CAP_NET_BIND_SERVICE",
      "CAP_SETFCAP", "CAP_SETGID",      "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
  };
  return caps;
}

std::vector<std::string> effective_capabilities(const ContainerConfig& c) {
  const std::vector<std::string> all = capability_names();
  if (c.privileged) return all;
  std::vector<std::string> add, drop;
  for (const auto& n : c.cap_add) add.push_back(cap_name(n));
  for (const auto& n : c.cap_drop) drop.push_back(cap_name(n));
  for (const auto* list : {&add, &drop})
    for (const auto& n : *list)
      if (n != "ALL" && !has(all, n)) throw Error("unknown capability \"" + n + "\"");
  // podman's order: ALL in --cap-add starts from every capability, ALL in --cap-drop from none;
  // then the named drops, then the named adds.
  std::vector<std::string> caps = has(add, "ALL") ? all : has(drop, "ALL") ? std::vector<std::string>{} : default_capabilities();
  for (const auto& n : drop) std::erase(caps, n);
  for (const auto& n : add)
    if (n != "ALL" && !has(caps, n)) caps.push_back(n);
  return caps;
}

std::optional<NestedIdMaps> nested_user_namespace_maps(const SpecInputs& in) {
  const auto nested = nested_id_maps(in);
  if (!nested) return std::nullopt;
  // Rootless, a map can only name ids the outer namespace has (podman refuses the same at create:
  // "insufficient UIDs or GIDs available in user namespace").
  auto convert = [&](const json& maps, uint32_t outer_count, const char* kind) {
    std::vector<oci::IdMapping> out;
    for (const auto& m : maps) {
      out.push_back({m["containerID"].get<uint32_t>(), m["hostID"].get<uint32_t>(), m["size"].get<uint32_t>()});
      const uint64_t end = uint64_t{out.back().host_id} + out.back().size;
      if (!in.real_root && end > outer_count)
        throw Error(std::string("insufficient ") + kind + "s in the user namespace for " + kind + " map " +
                    std::to_string(out.back().container_id) + ":" + std::to_string(out.back().host_id) + ":" +
                    std::to_string(out.back().size) + ": it has " + std::to_string(outer_count) +
                    " (the user and their /etc/sub" + kind + " range)");
    }
    return out;
  };
  return NestedIdMaps{convert(nested->uid, in.outer.uid_count, "uid"), convert(nested->gid, in.outer.gid_count, "gid")};
}

std::string process_user_spec(const ContainerConfig& c, const OuterIds& outer) {
  if (c.user.empty() && c.userns == "keep-id") return std::to_string(outer.host_uid) + ":" + std::to_string(outer.host_gid);
  return c.user;
}

std::string build_oci_spec(const SpecInputs& in) {
  const ContainerConfig& c = in.config;
  const bool host_network = c.network == "host";
  const auto nested = nested_id_maps(in);

  // process
  const std::vector<std::string> caps = effective_capabilities(c);
  std::vector<std::string> args = c.args;
  if (c.init) {
    if (in.init_path.empty()) throw Error("--init needs a static init on the host: install tini (its tini-static) or catatonit");
    args.insert(args.begin(), {"/run/roost-init", "--"});
  }
  if (args.empty()) throw Error("no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  std::vector<std::string> env = c.env;
  if (!env_has(env, "TERM")) env.push_back("TERM=xterm");
  if (!env_has(env, "HOME")) env.push_back("HOME=" + in.user.home);
  if (!env_has(env, "HOSTNAME")) env.push_back("HOSTNAME=" + c.hostname);
  json user = {{"uid", in.user.uid}, {"gid", in.user.gid}, {"umask", 022}};
  if (!in.user.additional_gids.empty()) user["additionalGids"] = in.user.additional_gids;
  const uint64_t nofile = std::min(kDefaultRlimit, in.nofile_hard);
  const uint64_t nproc = std::min(kDefaultRlimit, in.nproc_hard);
  json process = {
      {"terminal", in.terminal},
      {"user", user},
      {"args", args},
      {"env", env},
      {"cwd", c.working_dir.empty() ? "/" : c.working_dir},
      {"capabilities", capability_sets(caps)},
      {"rlimits",
       {{{"type", "RLIMIT_NOFILE"}, {"hard", nofile}, {"soft", nofile}},
        {{"type", "RLIMIT_NPROC"}, {"hard", nproc}, {"soft", nproc}}}},
      {"noNewPrivileges", c.no_new_privileges},
  };

  // mounts: the defaults a user mount does not replace, then the user's
  std::vector<std::string> user_dests;
  for (const auto& m : c.mounts) user_dests.push_back(m.destination);
  const std::vector<std::string> sys_ro = c.privileged ? std::vector<std::string>{} : std::vector<std::string>{"ro"};
  std::vector<json> defaults = {
      mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mount("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
  };
  // sysfs may be mounted only by the user namespace owning the network namespace: a new one
  // from the runtime or the monitor's (made in the namespace the container shares). With the
  // host's network, or a nested user namespace, the host's /sys is bound read-only instead.
  if (host_network || nested) {
    std::vector<std::string> o = {"rbind", "nosuid", "noexec", "nodev"};
    if (!c.privileged) o.push_back("ro");
    defaults.push_back(mount("/sys", "bind", "/sys", o));
  } else {
    std::vector<std::string> o = {"nosuid", "noexec", "nodev"};
    o.insert(o.end(), sys_ro.begin(), sys_ro.end());
    defaults.push_back(mount("/sys", "sysfs", "sysfs", o));
  }
  {
    std::vector<std::string> o = {"rprivate", "nosuid", "noexec", "nodev", "relatime"};
    o.insert(o.end(), sys_ro.begin(), sys_ro.end());
    defaults.push_back(mount("/sys/fs/cgroup", "cgroup", "cgroup", o));
  }
  const std::string bundle = in.bundle.empty() || in.bundle.back() != '/' ? in.bundle : in.bundle.substr(0, in.bundle.size() - 1);
  if (in.bundle_hosts) defaults.push_back(mount("/etc/hosts", "bind", bundle + "/hosts", {"bind", "rprivate"}));
  if (in.bundle_resolv_conf)
    defaults.push_back(mount("/etc/resolv.conf", "bind", bundle + "/resolv.conf", {"bind", "rprivate"}));
  if (in.bundle_hostname) defaults.push_back(mount("/etc/hostname", "bind", bundle + "/hostname", {"bind", "rprivate"}));
  if (c.read_only)
    for (const char* dir : {"/run", "/tmp", "/var/tmp"})
      defaults.push_back(mount(dir, "tmpfs", "tmpfs", {"rw", "rprivate", "nosuid", "nodev", "tmpcopyup"}));
  if (c.init) defaults.push_back(mount("/run/roost-init", "bind", in.init_path, {"bind", "ro", "rprivate"}));

  json mounts = json::array();
  for (auto& m : defaults)
    if (!has(user_dests, m["destination"].get<std::string>())) mounts.push_back(std::move(m));
  for (const auto& m : c.mounts) mounts.push_back(user_mount(m, in));

  // linux
  json namespaces = json::array({{{"type", "pid"}}});
  if (!host_network) {
    json net = {{"type", "network"}};
    if (!in.netns_path.empty()) net["path"] = in.netns_path;
    namespaces.push_back(net);
  }
  namespaces.push_back({{"type", "ipc"}});
  namespaces.push_back({{"type", "uts"}});
  namespaces.push_back({{"type", "mount"}});
  namespaces.push_back({{"type", "cgroup"}});
  json linux = json::object();
  if (nested) {
    namespaces.push_back({{"type", "user"}});
    linux["uidMappings"] = nested->uid;
    linux["gidMappings"] = nested->gid;
  }
  // ping without privileges, as podman: only in a network namespace of the container's own
  // (its user namespace owns it, so the sysctl may be written).
  if (!host_network && !nested) linux["sysctl"] = {{"net.ipv4.ping_group_range", "0 0"}};
  json resources = json::object();
  if (c.memory_limit > 0) resources["memory"] = {{"limit", c.memory_limit}};
  if (c.cpu_quota > 0) resources["cpu"] = {{"quota", c.cpu_quota}, {"period", c.cpu_period > 0 ? c.cpu_period : 100000}};
  if (c.pids_limit > 0) resources["pids"] = {{"limit", c.pids_limit}};
  if (!resources.empty()) linux["resources"] = resources;
  linux["namespaces"] = namespaces;
  if (!c.privileged) {
    linux["maskedPaths"] = {"/proc/acpi",      "/proc/kcore",  "/proc/keys",   "/proc/latency_stats",
                            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                            "/sys/firmware",   "/sys/fs/selinux", "/sys/dev/block"};
    linux["readonlyPaths"] = {"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  }
  if (json seccomp = seccomp_of(c, caps); !seccomp.is_null()) linux["seccomp"] = std::move(seccomp);

  json annotations = {{"io.container.manager", "roost"}};
  if (!c.stop_signal.empty())
    annotations["org.opencontainers.image.stopSignal"] = std::to_string(parse_signal(c.stop_signal));

  json spec = {
      {"ociVersion", "1.0.2"},
      {"process", process},
      {"root", {{"path", in.rootfs}, {"readonly", c.read_only}}},
      {"hostname", c.hostname},
      {"mounts", mounts},
      {"annotations", annotations},
      {"linux", linux},
  };
  return spec.dump(2) + "\n";
}

}  // namespace roost::ctr
