// roost create's flags turned into a container record before the image applies: podman's
// refusals, one line each, and the translations (capabilities, signals, security options).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "engine/container_create.hpp"
#include "util/error.hpp"

namespace roost::engine {
namespace {

std::string error_of(const CreateRequest& r) {
  try {
    config_from_request(r);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(CreateFlags, UsernsModesAndIdMapsAreKeptAndAutoIsRefused) {
  CreateRequest r;
  r.userns = "keep-id";
  EXPECT_EQ(config_from_request(r).userns, "keep-id");
  r.userns = "nomap";
  EXPECT_EQ(config_from_request(r).userns, "nomap");
  r.userns = "auto";
  EXPECT_EQ(error_of(r), "--userns=auto is not supported yet");
  r.userns = "private";
  EXPECT_EQ(error_of(r), "invalid --userns \"private\"");
  r.userns = "";
  r.uid_maps = {"0:1:100"};
  r.gid_maps = {"0:1:50"};
  const ctr::ContainerConfig c = config_from_request(r);
  EXPECT_EQ(c.uid_maps, std::vector<std::string>{"0:1:100"});
  EXPECT_EQ(c.gid_maps, std::vector<std::string>{"0:1:50"});
  r.userns = "keep-id";
  EXPECT_EQ(error_of(r), "--userns and --uidmap/--gidmap are mutually exclusive");
  r.uid_maps.clear();
  r.gid_maps.clear();
  r.userns = "host";
  EXPECT_EQ(config_from_request(r).userns, "host");
}

TEST(CreateFlags, NetworksAndPorts) {
  CreateRequest r;
  EXPECT_EQ(config_from_request(r).network, "slirp4netns");
  r.network = "mynet";  // a user-defined network's name: create_container checks that it exists
  EXPECT_EQ(config_from_request(r).network, "mynet");
  r.publish = {"8080:80"};
  EXPECT_EQ(config_from_request(r).ports.size(), 1u);  // through the builtin forwarder, as with slirp4netns
  r.publish.clear();
  r.network = "ns:/run/netns/x";  // a mode roost does not have, not a network's name
  EXPECT_EQ(error_of(r), "unable to find network with name or ID ns:/run/netns/x: network not found");
  r.network = "host";
  r.publish = {"8080:80"};
  EXPECT_NE(error_of(r).find("port bindings"), std::string::npos);
  r.publish.clear();
  r.network = "slirp4netns:allow_host_loopback=true,cidr=10.0.3.0/24";
  EXPECT_EQ(config_from_request(r).network, "slirp4netns");
  EXPECT_EQ(config_from_request(r).network_options, (std::vector<std::string>{"allow_host_loopback=true", "cidr=10.0.3.0/24"}));
  r.network = "slirp4netns:";
  EXPECT_TRUE(config_from_request(r).network_options.empty());
  r.network = "slirp4netns:mtu=1";
  EXPECT_EQ(error_of(r), "invalid value of mtu for slirp4netns: \"1\" (68 to 65521)");
  r.network = "host:x=1";
  EXPECT_EQ(error_of(r), "network host takes no options (--network host:x=1)");
  r.network = "pasta:-T,8080";
  EXPECT_NE(error_of(r).find("no options to pasta"), std::string::npos);
  r.network = "pasta";
  r.publish = {"8080:80"};
  const ctr::ContainerConfig c = config_from_request(r);
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].host_port, 8080);
  EXPECT_EQ(c.ports[0].container_port, 80);
}

TEST(CreateFlags, RmConflictsWithARestartPolicy) {
  CreateRequest r;
  r.auto_remove = true;
  r.restart = "always";
  EXPECT_NE(error_of(r).find("--rm option conflicts with --restart"), std::string::npos);
  r.restart = "no";
  EXPECT_TRUE(config_from_request(r).auto_remove);
}

TEST(CreateFlags, CapabilitiesSignalsLabels) {
  CreateRequest r;
  r.cap_add = {"net_raw", "CAP_SYS_TIME", "all"};
  r.cap_drop = {"chown"};
  r.stop_signal = "9";
  r.stop_timeout = 3;
  r.labels = {"a=b", "flag", "k=v=w"};
  const ctr::ContainerConfig c = config_from_request(r);
  EXPECT_EQ(c.cap_add, (std::vector<std::string>{"CAP_NET_RAW", "CAP_SYS_TIME", "ALL"}));
  EXPECT_EQ(c.cap_drop, (std::vector<std::string>{"CAP_CHOWN"}));
  EXPECT_EQ(c.stop_signal, "SIGKILL");
  EXPECT_EQ(c.stop_timeout, 3);
  EXPECT_EQ(c.labels.at("a"), "b");
  EXPECT_EQ(c.labels.at("flag"), "");
  EXPECT_EQ(c.labels.at("k"), "v=w");
  r.stop_signal = "TERM";
  EXPECT_EQ(config_from_request(r).stop_signal, "SIGTERM");
  r.stop_signal = "NOPE";
  EXPECT_NE(error_of(r), "");
}

TEST(CreateFlags, SecurityOptions) {
  CreateRequest r;
  r.security_opts = {"no-new-privileges", "seccomp=unconfined"};
  ctr::ContainerConfig c = config_from_request(r);
  EXPECT_TRUE(c.no_new_privileges);
  EXPECT_EQ(c.seccomp_profile, "unconfined");
  char path[] = "/tmp/roost-seccomp-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string profile = R"({"defaultAction":"SCMP_ACT_ALLOW"})";
  ASSERT_EQ(::write(fd, profile.data(), profile.size()), static_cast<ssize_t>(profile.size()));
  ::close(fd);
  r.security_opts = {std::string("seccomp=") + path};
  EXPECT_EQ(config_from_request(r).seccomp_profile, profile);
  std::ofstream(path) << "not json";
  EXPECT_NE(error_of(r).find("not a JSON seccomp profile"), std::string::npos);
  ::unlink(path);
  r.security_opts = {"apparmor=x"};
  EXPECT_NE(error_of(r).find("invalid --security-opt"), std::string::npos);
}

TEST(CreateFlags, LimitsParsed) {
  CreateRequest r;
  r.memory = "512m";
  r.cpus = "1.5";
  r.pids_limit = 100;
  const ctr::ContainerConfig c = config_from_request(r);
  EXPECT_EQ(c.memory_limit, 512 * 1024 * 1024);
  EXPECT_EQ(c.cpu_period, 100000);
  EXPECT_EQ(c.cpu_quota, 150000);
  EXPECT_EQ(c.pids_limit, 100);
}

}  // namespace
}  // namespace roost::engine
