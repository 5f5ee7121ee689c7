// config.json built from a container's record, read back by roost-runtime's own parser
// (oci::parse_spec) and checked against podman 4.3's rootless choices: namespaces per network
// mode, capabilities, seccomp, rlimits, env, the default and the user's mounts, --read-only,
// resources, nested user namespaces (keep-id, nomap, --uidmap), --init.
#include "ctr/oci_spec.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>

#include "oci/spec.hpp"
#include "sys/capabilities.hpp"
#include "util/error.hpp"

using namespace roost::ctr;
using nlohmann::json;

namespace {

SpecInputs base_inputs() {
  SpecInputs in;
  ContainerConfig& c = in.config;
  c.id = std::string(64, 'a');
  c.name = "web";
  c.hostname = "aaaaaaaaaaaa";
  c.args = {"sleep", "100"};
  c.env = {"PATH=/usr/bin:/bin", "LANG=C"};
  c.working_dir = "/srv";
  c.network = "slirp4netns";
  in.user.uid = 1000;
  in.user.gid = 1000;
  in.user.additional_gids = {10, 29};
  in.user.home = "/home/app";
  in.rootfs = "/run/user/1001/roost/containers/aaa/rootfs";
  in.bundle = "/home/u/.local/share/roost/containers/aaa/bundle/";
  in.bundle_hosts = in.bundle_resolv_conf = in.bundle_hostname = true;
  in.netns_path = "/run/user/1001/roost/containers/aaa/netns";
  in.nofile_hard = 20000;
  in.nproc_hard = 4096;
  return in;
}

// Builds, checks that roost-runtime's parser accepts it, returns the JSON.
json build(const SpecInputs& in) {
  const std::string text = build_oci_spec(in);
  EXPECT_NO_THROW(roost::oci::parse_spec(text)) << text;
  return json::parse(text);
}

std::vector<std::string> namespace_types(const json& spec) {
  std::vector<std::string> out;
  for (const auto& n : spec["linux"]["namespaces"]) out.push_back(n["type"]);
  return out;
}

const json* mount_at(const json& spec, const std::string& dest) {
  for (const auto& m : spec["mounts"])
    if (m["destination"] == dest) return &m;
  return nullptr;
}

std::vector<std::string> destinations(const json& spec) {
  std::vector<std::string> out;
  for (const auto& m : spec["mounts"]) out.push_back(m["destination"]);
  return out;
}

TEST(CtrOciSpec, RootlessDefaultIsPodmans) {
  const json s = build(base_inputs());
  EXPECT_EQ(namespace_types(s), (std::vector<std::string>{"pid", "network", "ipc", "uts", "mount", "cgroup"}));
  EXPECT_EQ(s["linux"]["namespaces"][1]["path"], "/run/user/1001/roost/containers/aaa/netns");
  EXPECT_FALSE(s["linux"].contains("uidMappings"));
  EXPECT_EQ(s["root"]["path"], "/run/user/1001/roost/containers/aaa/rootfs");
  EXPECT_EQ(s["root"]["readonly"], false);
  EXPECT_EQ(s["hostname"], "aaaaaaaaaaaa");

  const json& p = s["process"];
  EXPECT_EQ(p["args"], json({"sleep", "100"}));
  EXPECT_EQ(p["cwd"], "/srv");
  EXPECT_EQ(p["terminal"], false);
  EXPECT_EQ(p["user"]["uid"], 1000);
  EXPECT_EQ(p["user"]["gid"], 1000);
  EXPECT_EQ(p["user"]["additionalGids"], json({10, 29}));
  EXPECT_EQ(p["user"]["umask"], 18);
  EXPECT_EQ(p["env"], json({"PATH=/usr/bin:/bin", "LANG=C", "TERM=xterm", "HOME=/home/app", "HOSTNAME=aaaaaaaaaaaa"}));
  EXPECT_EQ(p["capabilities"]["bounding"], json(default_capabilities()));
  EXPECT_EQ(p["capabilities"]["effective"], json(default_capabilities()));
  EXPECT_EQ(p["capabilities"]["permitted"], json(default_capabilities()));
  EXPECT_EQ(default_capabilities().size(), 11u);
  EXPECT_EQ(p["noNewPrivileges"], false);
  EXPECT_EQ(p["rlimits"], json::parse(R"([{"type":"RLIMIT_NOFILE","hard":20000,"soft":20000},
                                          {"type":"RLIMIT_NPROC","hard":4096,"soft":4096}])"));

  EXPECT_EQ(destinations(s), (std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys",
                                                        "/sys/fs/cgroup", "/etc/hosts", "/etc/resolv.conf",
                                                        "/etc/hostname"}));
  EXPECT_EQ((*mount_at(s, "/sys"))["type"], "sysfs");
  EXPECT_EQ((*mount_at(s, "/sys"))["options"].back(), "ro");
  EXPECT_EQ((*mount_at(s, "/etc/hosts"))["source"], "/home/u/.local/share/roost/containers/aaa/bundle/hosts");
  EXPECT_EQ((*mount_at(s, "/etc/resolv.conf"))["type"], "bind");

  EXPECT_EQ(s["linux"]["maskedPaths"].size(), 11u);
  EXPECT_EQ(s["linux"]["readonlyPaths"].size(), 6u);
  EXPECT_EQ(s["linux"]["sysctl"]["net.ipv4.ping_group_range"], "0 0");
  EXPECT_EQ(s["linux"]["seccomp"]["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_FALSE(s["linux"].contains("resources"));
  EXPECT_EQ(s["annotations"]["org.opencontainers.image.stopSignal"], "15");
}

TEST(CtrOciSpec, HighHardLimitIsCappedAtPodmansDefault) {
  SpecInputs in = base_inputs();
  in.nofile_hard = in.nproc_hard = 1ULL << 40;
  const json s = build(in);
  EXPECT_EQ(s["process"]["rlimits"][0]["hard"], 1048576);
  EXPECT_EQ(s["process"]["rlimits"][1]["soft"], 1048576);
}

TEST(CtrOciSpec, RecordEnvWinsOverTheAddedOnes) {
  SpecInputs in = base_inputs();
  in.config.env = {"HOME=/custom", "TERM=dumb", "HOSTNAME=mine"};
  in.terminal = true;
  const json s = build(in);
  EXPECT_EQ(s["process"]["env"], json({"HOME=/custom", "TERM=dumb", "HOSTNAME=mine"}));
  EXPECT_EQ(s["process"]["terminal"], true);
}

TEST(CtrOciSpec, HostNetworkHasNoNetworkNamespaceAndBindsSys) {
  SpecInputs in = base_inputs();
  in.config.network = "host";
  const json s = build(in);
  EXPECT_EQ(namespace_types(s), (std::vector<std::string>{"pid", "ipc", "uts", "mount", "cgroup"}));
  const json& sys = *mount_at(s, "/sys");
  EXPECT_EQ(sys["type"], "bind");
  EXPECT_EQ(sys["source"], "/sys");
  EXPECT_EQ(sys["options"], json({"rbind", "nosuid", "noexec", "nodev", "ro"}));
  EXPECT_FALSE(s["linux"].contains("sysctl"));
}

TEST(CtrOciSpec, NoneNetworkGetsAFreshNamespace) {
  SpecInputs in = base_inputs();
  in.config.network = "none";
  in.netns_path.clear();
  const json s = build(in);
  EXPECT_EQ(s["linux"]["namespaces"][1], json({{"type", "network"}}));
  EXPECT_EQ((*mount_at(s, "/sys"))["type"], "sysfs");
}

TEST(CtrOciSpec, PrivilegedHasEveryCapabilityNoSeccompNoMasks) {
  SpecInputs in = base_inputs();
  in.config.privileged = true;
  const json s = build(in);
  EXPECT_EQ(s["process"]["capabilities"]["bounding"], json(roost::capability_names()));
  EXPECT_FALSE(s["linux"].contains("seccomp"));
  EXPECT_FALSE(s["linux"].contains("maskedPaths"));
  EXPECT_FALSE(s["linux"].contains("readonlyPaths"));
  EXPECT_EQ((*mount_at(s, "/sys"))["options"], json({"nosuid", "noexec", "nodev"}));
}

TEST(CtrOciSpec, CapAddAndDrop) {
  ContainerConfig c;
  c.cap_drop = {"ALL"};
  c.cap_add = {"net_raw", "CAP_KILL"};
  EXPECT_EQ(effective_capabilities(c), (std::vector<std::string>{"CAP_NET_RAW", "CAP_KILL"}));
  c = {};
  c.cap_drop = {"CHOWN", "cap_setuid"};
  c.cap_add = {"SYS_PTRACE"};
  auto caps = effective_capabilities(c);
  EXPECT_EQ(caps.size(), 10u);
  EXPECT_EQ(std::count(caps.begin(), caps.end(), "CAP_CHOWN"), 0);
  EXPECT_EQ(std::count(caps.begin(), caps.end(), "CAP_SETUID"), 0);
  EXPECT_EQ(caps.back(), "CAP_SYS_PTRACE");
  c = {};
  c.cap_add = {"ALL"};
  c.cap_drop = {"NET_RAW"};
  caps = effective_capabilities(c);
  EXPECT_EQ(caps.size(), roost::capability_names().size() - 1);
  EXPECT_EQ(std::count(caps.begin(), caps.end(), "CAP_NET_RAW"), 0);
  c = {};
  c.cap_add = {"CAP_FLY"};
  EXPECT_THROW(effective_capabilities(c), roost::Error);
}

TEST(CtrOciSpec, SeccompUnconfinedOrAProfileFile) {
  SpecInputs in = base_inputs();
  in.config.seccomp_profile = "unconfined";
  EXPECT_FALSE(build(in)["linux"].contains("seccomp"));
  in.config.seccomp_profile = R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]})";
  EXPECT_EQ(build(in)["linux"]["seccomp"]["syscalls"][0]["names"][0], "mkdir");
  in.config.seccomp_profile = "{not json";
  EXPECT_THROW(build_oci_spec(in), roost::Error);
  in.config.seccomp_profile = "[]";
  EXPECT_THROW(build_oci_spec(in), roost::Error);
  in.config.no_new_privileges = true;
  in.config.seccomp_profile.clear();
  EXPECT_EQ(build(in)["process"]["noNewPrivileges"], true);
}

// Every syscall name of the profile's rules with the given action.
std::set<std::string> syscalls_with(const json& profile, const std::string& action) {
  std::set<std::string> out;
  for (const auto& rule : profile["syscalls"])
    if (rule["action"] == action && !rule.contains("args"))
      for (const auto& n : rule["names"]) out.insert(n.get<std::string>());
  return out;
}

TEST(CtrOciSpec, DefaultProfileOpensTheSyscallsOfTheCapabilities) {
  SpecInputs in = base_inputs();
  json seccomp = build(in)["linux"]["seccomp"];
  // CAP_SYS_CHROOT is a default capability: chroot is allowed, mount is not.
  EXPECT_TRUE(syscalls_with(seccomp, "SCMP_ACT_ALLOW").count("chroot"));
  EXPECT_FALSE(syscalls_with(seccomp, "SCMP_ACT_ERRNO").count("chroot"));
  EXPECT_TRUE(syscalls_with(seccomp, "SCMP_ACT_ERRNO").count("mount"));
  EXPECT_TRUE(syscalls_with(seccomp, "SCMP_ACT_ERRNO").count("settimeofday"));
  in.config.cap_add = {"SYS_ADMIN"};
  seccomp = build(in)["linux"]["seccomp"];
  for (const char* name : {"mount", "umount2", "unshare", "setns", "pivot_root", "sethostname", "clone"})
    EXPECT_TRUE(syscalls_with(seccomp, "SCMP_ACT_ALLOW").count(name)) << name;
  EXPECT_FALSE(syscalls_with(seccomp, "SCMP_ACT_ERRNO").count("mount"));
  EXPECT_TRUE(syscalls_with(seccomp, "SCMP_ACT_ERRNO").count("settimeofday"));
  EXPECT_TRUE(syscalls_with(seccomp, "SCMP_ACT_ERRNO").count("bpf"));
  // Dropping CAP_SYS_CHROOT closes chroot again.
  in.config.cap_add.clear();
  in.config.cap_drop = {"SYS_CHROOT"};
  seccomp = build(in)["linux"]["seccomp"];
  EXPECT_FALSE(syscalls_with(seccomp, "SCMP_ACT_ALLOW").count("chroot"));
  EXPECT_TRUE(syscalls_with(seccomp, "SCMP_ACT_ERRNO").count("chroot"));
}

TEST(CtrOciSpec, UserMountsInOrderWithTheirOptions) {
  SpecInputs in = base_inputs();
  in.config.mounts = {
      MountRequest{"bind", "/host/src", "/src", {"z", "U", "noexec"}, true},
      MountRequest{"volume", "data", "/data", {"nocopy"}, false},
      MountRequest{"tmpfs", "tmpfs", "/scratch", {"size=64m", "nosuid", "nodev", "tmpcopyup"}, false},
      MountRequest{"bind", "/host/x", "/x", {"bind", "rslave"}, false},
      MountRequest{"tmpfs", "tmpfs", "/dev/shm", {"size=1g"}, false},
  };
  in.volume_sources["/data"] = "/home/u/.local/share/roost/volumes/data/_data";
  const json s = build(in);
  auto d = destinations(s);
  EXPECT_EQ(std::count(d.begin(), d.end(), "/dev/shm"), 1);  // the user's replaces the default
  EXPECT_EQ(std::vector<std::string>(d.end() - 5, d.end()),
            (std::vector<std::string>{"/src", "/data", "/scratch", "/x", "/dev/shm"}));
  EXPECT_EQ(*mount_at(s, "/src"), json::parse(R"({"destination":"/src","type":"bind","source":"/host/src",
                                                 "options":["rbind","noexec","ro","rprivate"]})"));
  EXPECT_EQ(*mount_at(s, "/data"), json::parse(R"({"destination":"/data","type":"bind",
      "source":"/home/u/.local/share/roost/volumes/data/_data","options":["rbind","nosuid","nodev","rprivate"]})"));
  EXPECT_EQ(*mount_at(s, "/scratch"), json::parse(R"({"destination":"/scratch","type":"tmpfs","source":"tmpfs",
                                                     "options":["size=64m","nosuid","nodev","tmpcopyup"]})"));
  EXPECT_EQ((*mount_at(s, "/x"))["options"], json({"bind", "rslave"}));
  EXPECT_EQ((*mount_at(s, "/dev/shm"))["options"], json({"size=1g"}));
}

TEST(CtrOciSpec, AVolumeWithoutAResolvedSourceIsAnError) {
  SpecInputs in = base_inputs();
  in.config.mounts = {MountRequest{"volume", "", "/anon", {}, false}};
  EXPECT_THROW(build_oci_spec(in), roost::Error);
  in.volume_sources["/anon"] = "/v/0123/_data";
  EXPECT_EQ((*mount_at(build(in), "/anon"))["source"], "/v/0123/_data");
}

TEST(CtrOciSpec, ReadOnlyRootGetsPodmansTmpfsDirs) {
  SpecInputs in = base_inputs();
  in.config.read_only = true;
  in.config.mounts = {MountRequest{"bind", "/h", "/tmp", {}, false}};
  const json s = build(in);
  EXPECT_EQ(s["root"]["readonly"], true);
  ASSERT_NE(mount_at(s, "/run"), nullptr);
  ASSERT_NE(mount_at(s, "/var/tmp"), nullptr);
  EXPECT_EQ((*mount_at(s, "/run"))["type"], "tmpfs");
  EXPECT_EQ((*mount_at(s, "/tmp"))["type"], "bind");  // the user's mount, not the default tmpfs
}

TEST(CtrOciSpec, ResourcesOnlyWhenAsked) {
  SpecInputs in = base_inputs();
  in.config.memory_limit = 512LL << 20;
  in.config.cpu_quota = 150000;
  in.config.cpu_period = 100000;
  in.config.pids_limit = 64;
  const std::string text = build_oci_spec(in);
  const auto spec = roost::oci::parse_spec(text);
  EXPECT_EQ(spec.linux.resources.memory_limit, 512LL << 20);
  EXPECT_EQ(spec.linux.resources.cpu_quota, 150000);
  EXPECT_EQ(spec.linux.resources.cpu_period, 100000u);
  EXPECT_EQ(spec.linux.resources.pids_limit, 64);
}

TEST(CtrOciSpec, KeepIdMapsTheUserOntoThemselves) {
  SpecInputs in = base_inputs();
  in.config.userns = "keep-id";
  in.outer = OuterIds{1001, 1001, 65537, 65537};
  const json s = build(in);
  EXPECT_EQ(namespace_types(s).back(), "user");
  EXPECT_EQ(s["linux"]["uidMappings"], json::parse(R"([{"containerID":0,"hostID":1,"size":1001},
                                                       {"containerID":1001,"hostID":0,"size":1},
                                                       {"containerID":1002,"hostID":1002,"size":64535}])"));
  EXPECT_EQ(s["linux"]["gidMappings"], s["linux"]["uidMappings"]);
  EXPECT_EQ((*mount_at(s, "/sys"))["type"], "bind");  // sysfs needs the netns's own user namespace
  EXPECT_FALSE(s["linux"].contains("sysctl"));
  // Without a range there is nothing to map the container's other ids to.
  in.outer = OuterIds{1001, 1001, 1, 1};
  EXPECT_THROW(build_oci_spec(in), roost::Error);
  in.outer = OuterIds{1001, 1001, 65537, 65537};
  in.real_root = true;
  EXPECT_THROW(build_oci_spec(in), roost::Error);
}

TEST(CtrOciSpec, KeepIdRunsAsTheUserUnlessToldOtherwise) {
  ContainerConfig c;
  const OuterIds outer{1001, 1002, 65537, 65537};
  EXPECT_EQ(process_user_spec(c, outer), "");
  c.userns = "keep-id";
  EXPECT_EQ(process_user_spec(c, outer), "1001:1002");
  c.user = "app";
  EXPECT_EQ(process_user_spec(c, outer), "app");
}

TEST(CtrOciSpec, NomapAndExplicitMaps) {
  SpecInputs in = base_inputs();
  in.config.userns = "nomap";
  in.outer = OuterIds{1001, 1001, 65537, 65537};
  EXPECT_EQ(build(in)["linux"]["uidMappings"], json::parse(R"([{"containerID":0,"hostID":1,"size":65536}])"));
  in.config.userns.clear();
  in.config.uid_maps = {"0:1:100", "100:0:1"};
  json s = build(in);
  EXPECT_EQ(s["linux"]["uidMappings"].size(), 2u);
  EXPECT_EQ(s["linux"]["gidMappings"], s["linux"]["uidMappings"]);  // --uidmap alone serves for gids
  in.config.gid_maps = {"0:5:10"};
  s = build(in);
  EXPECT_EQ(s["linux"]["gidMappings"], json::parse(R"([{"containerID":0,"hostID":5,"size":10}])"));
  for (const char* bad : {"0:1", "a:1:2", "0:1:0", "0:1:2:3", "0:1:99999999999"}) {
    in.config.uid_maps = {bad};
    EXPECT_THROW(build_oci_spec(in), roost::Error) << bad;
  }
  in.config.uid_maps.clear();
  in.config.gid_maps.clear();
  in.config.userns = "auto";
  EXPECT_THROW(build_oci_spec(in), roost::Error);
  in.config.userns = "host";
  EXPECT_FALSE(build(in)["linux"].contains("uidMappings"));
}

TEST(CtrOciSpec, InitRunsTheProcessUnderTini) {
  SpecInputs in = base_inputs();
  in.config.init = true;
  EXPECT_THROW(build_oci_spec(in), roost::Error);
  in.init_path = "/usr/bin/tini";
  const json s = build(in);
  EXPECT_EQ(s["process"]["args"], json({"/run/roost-init", "--", "sleep", "100"}));
  EXPECT_EQ((*mount_at(s, "/run/roost-init"))["source"], "/usr/bin/tini");
}

TEST(CtrOciSpec, BundleFilesOnlyWhenTheyExist) {
  SpecInputs in = base_inputs();
  in.bundle_hosts = in.bundle_hostname = false;
  const json s = build(in);
  EXPECT_EQ(mount_at(s, "/etc/hosts"), nullptr);
  EXPECT_EQ(mount_at(s, "/etc/hostname"), nullptr);
  EXPECT_NE(mount_at(s, "/etc/resolv.conf"), nullptr);
}

}  // namespace
