#include <gtest/gtest.h>

#include "ns/command.hpp"
#include "ns/options.hpp"
#include "util/error.hpp"

using roost::ns::NsOptions;
using roost::ns::parse_ns_options;

namespace {

std::string error_of(const std::vector<std::string>& args) {
  try {
    parse_ns_options(args);
  } catch (const roost::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(NsOptions, DefaultsAreRootlesskits) {
  NsOptions o = parse_ns_options({"true"});
  EXPECT_EQ(o.network.driver, "host");
  EXPECT_EQ(o.port.driver, "none");
  EXPECT_EQ(o.propagation, "rprivate");
  EXPECT_EQ(o.reaper, "auto");
  EXPECT_EQ(o.subid_source, "auto");
  EXPECT_EQ(o.network.slirp4netns_sandbox, "false");
  EXPECT_TRUE(o.port.source_ip_transparent);
  EXPECT_FALSE(o.reap());
  EXPECT_EQ(o.command, std::vector<std::string>{"true"});
}

TEST(NsOptions, OneAndTwoDashesEqualsAndSeparateValues) {
  NsOptions o = parse_ns_options({"-net=none", "--mtu", "1400", "-state-dir", "/x", "--copy-up=/etc", "-copy-up",
                                  "/run", "sh", "-c", "--pidns"});
  EXPECT_EQ(o.network.driver, "none");
  EXPECT_EQ(o.network.mtu, 1400);
  EXPECT_EQ(o.state_dir, "/x");
  EXPECT_EQ(o.copy_up, (std::vector<std::string>{"/etc", "/run"}));
  // Flags end at the first word that is not one: the command's own flags are its own.
  EXPECT_EQ(o.command, (std::vector<std::string>{"sh", "-c", "--pidns"}));
  EXPECT_FALSE(o.pidns);
}

TEST(NsOptions, BoolsTakeGoSpellingsOnlyAfterEquals) {
  EXPECT_TRUE(parse_ns_options({"--pidns", "true"}).pidns);  // "true" here is the command
  EXPECT_EQ(parse_ns_options({"--pidns", "true"}).command, std::vector<std::string>{"true"});
  EXPECT_TRUE(parse_ns_options({"--pidns=T", "x"}).pidns);
  EXPECT_FALSE(parse_ns_options({"--pidns=0", "x"}).pidns);
  EXPECT_FALSE(parse_ns_options({"--source-ip-transparent=false", "x"}).port.source_ip_transparent);
  EXPECT_EQ(error_of({"--pidns=yes", "x"}), "invalid boolean value \"yes\" for -pidns: parse error");
}

TEST(NsOptions, DoubleDashEndsTheFlags) {
  NsOptions o = parse_ns_options({"--pidns", "--", "--net=none"});
  EXPECT_EQ(o.command, std::vector<std::string>{"--net=none"});
  EXPECT_EQ(o.network.driver, "host");
}

TEST(NsOptions, GoFlagErrors) {
  EXPECT_EQ(error_of({"--bogus", "x"}), "flag provided but not defined: -bogus");
  EXPECT_EQ(error_of({"--net"}), "flag needs an argument: -net");
  EXPECT_EQ(error_of({"--mtu=abc", "x"}), "invalid value \"abc\" for flag -mtu: parse error");
  EXPECT_EQ(error_of({}), "no command specified");
  EXPECT_EQ(error_of({"--pidns"}), "no command specified");
}

TEST(NsOptions, IntsTakeGoBases) {
  EXPECT_EQ(parse_ns_options({"--net=slirp4netns", "--mtu=0x5dc", "x"}).network.mtu, 1500);
  EXPECT_EQ(parse_ns_options({"--net=slirp4netns", "--mtu=0", "x"}).network.mtu, 0);
}

TEST(NsOptions, HelpVersionAndSemverNeedNoCommand) {
  EXPECT_TRUE(parse_ns_options({"-h"}).help);
  EXPECT_TRUE(parse_ns_options({"--version"}).version);
  EXPECT_TRUE(parse_ns_options({"-v"}).version);
  EXPECT_EQ(parse_ns_options({"--print-semver=minor"}).print_semver, "minor");
  EXPECT_EQ(error_of({"--print-semver=build"}), "expected --print-semver=(major|minor|patch), got \"build\"");
}

TEST(NsOptions, HelpNamesEveryFlagAndDetachNetns) {
  std::string help = roost::ns::ns_help_text("rootlesskit");
  for (const char* flag :
       {"--detach-netns", "--debug", "--state-dir", "--net", "--mtu", "--cidr", "--ifname", "--disable-host-loopback",
        "--ipv6", "--slirp4netns-binary", "--slirp4netns-sandbox", "--slirp4netns-seccomp", "--pasta-binary",
        "--vpnkit-binary", "--lxc-user-nic-binary", "--lxc-user-nic-bridge", "--port-driver", "--publish",
        "--source-ip-transparent", "--copy-up", "--copy-up-mode", "--propagation", "--pidns", "--cgroupns",
        "--utsns", "--ipcns", "--reaper", "--evacuate-cgroup2", "--subid-source", "--print-semver"})
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
}

TEST(NsOptions, PortDriverRules) {
  EXPECT_EQ(error_of({"--port-driver=none", "-p", "8080:80/tcp", "x"}),
            "port driver \"none\" does not support publishing ports");
  EXPECT_EQ(error_of({"--port-driver=builtin", "x"}), "port driver requires non-host network");
  EXPECT_EQ(error_of({"--net=none", "--port-driver=slirp4netns", "x"}),
            "network \"none\" requires either port driver \"none\" or \"builtin\"");
  EXPECT_EQ(error_of({"--net=pasta", "--port-driver=builtin", "x"}),
            "network \"pasta\" requires port driver \"none\" or \"implicit\"");
  EXPECT_EQ(error_of({"--net=slirp4netns", "--port-driver=implicit", "x"}), "port driver requires pasta network");
  EXPECT_EQ(error_of({"--net=none", "--port-driver=builtin", "--net=pasta", "--port-driver=slirp4netns", "x"}),
            "network \"pasta\" requires port driver \"none\" or \"implicit\"");
  EXPECT_EQ(error_of({"--net=pasta", "--port-driver=slirp4netns", "x"}),
            "network \"pasta\" requires port driver \"none\" or \"implicit\"");
  EXPECT_EQ(error_of({"--net=vpnkit", "--port-driver=slirp4netns", "x"}), "port driver requires slirp4netns network");
  EXPECT_EQ(error_of({"--port-driver=pesto2", "x"}), "unknown port driver: pesto2");
  NsOptions o = parse_ns_options({"--net=slirp4netns", "--port-driver=builtin", "-p", "127.0.0.1:8080:80/tcp", "x"});
  ASSERT_EQ(o.publish.size(), 1u);
  EXPECT_EQ(o.publish[0].parent_port, 8080);
  EXPECT_EQ(o.publish[0].child_port, 80);
}

TEST(NsOptions, NetworkRules) {
  EXPECT_EQ(error_of({"--net=foo", "x"}), "unknown network mode: foo");
  EXPECT_EQ(error_of({"--net=slirp4netns", "--mtu=70000", "x"}), "mtu must be <= 65521, got 70000");
  EXPECT_EQ(error_of({"--net=slirp4netns", "--mtu=-1", "x"}), "mtu must be <= 65521, got -1");
  EXPECT_EQ(error_of({"--net=slirp4netns", "--cidr=10.0.2.100/24", "x"}),
            "cidr must be like 10.0.2.0/24, not like 10.0.2.100/24");
  EXPECT_EQ(error_of({"--net=slirp4netns", "--cidr=10.0.3.0", "x"}), "invalid CIDR address: 10.0.3.0");
  EXPECT_EQ(error_of({"--cidr=10.0.3.0/24", "x"}), "custom cidr is not supported for --net=host");
  EXPECT_EQ(error_of({"--net=none", "--ifname=eth0", "x"}), "ifname cannot be specified for --net=none");
  EXPECT_EQ(error_of({"--net=slirp4netns", "--ifname=a/b", "x"}), "ifname must not contain \"/\"");
  EXPECT_EQ(error_of({"--net=slirp4netns", "--slirp4netns-sandbox=maybe", "x"}),
            "unsupported slirp4netns-sandbox mode: \"maybe\"");
  EXPECT_NE(error_of({"--net=slirp4netns", "--slirp4netns-sandbox=true", "--detach-netns", "x"}).find("conflicts"),
            std::string::npos);
  EXPECT_EQ(parse_ns_options({"--net=slirp4netns", "--cidr=10.0.3.0/24", "x"}).network.cidr, "10.0.3.0/24");
  // Accepted here, refused by the driver factory with what is missing.
  EXPECT_EQ(parse_ns_options({"--net=vpnkit", "x"}).network.driver, "vpnkit");
}

TEST(NsOptions, ProcessRules) {
  EXPECT_EQ(error_of({"--reaper=true", "x"}), "reaper requires --pidns");
  EXPECT_EQ(error_of({"--reaper=sometimes", "x"}), "unknown reaper mode: sometimes");
  EXPECT_TRUE(parse_ns_options({"--pidns", "x"}).reap());
  EXPECT_FALSE(parse_ns_options({"--pidns", "--reaper=false", "x"}).reap());
  EXPECT_EQ(error_of({"--evacuate-cgroup2=e", "x"}), "evacuate-cgroup2 requires --cgroupns");
  EXPECT_EQ(error_of({"--evacuate-cgroup2=e", "--cgroupns", "x"}), "evacuate-cgroup2 requires --pidns");
  EXPECT_NE(error_of({"--evacuate-cgroup2=a/b", "--cgroupns", "--pidns", "x"}).find("must not contain"), std::string::npos);
  EXPECT_EQ(error_of({"--subid-source=ldap", "x"}), "unknown subid source \"ldap\"");
}

TEST(NsOptions, MountRules) {
  EXPECT_EQ(error_of({"--copy-up=/tmp", "x"}), "/tmp cannot be copied up");
  EXPECT_EQ(error_of({"--copy-up=/tmp/", "x"}), "/tmp cannot be copied up");
  EXPECT_EQ(error_of({"--copy-up=etc", "x"}), "copy-up directory must be absolute: etc");
  EXPECT_EQ(error_of({"--copy-up-mode=overlay", "x"}), "unknown copy-up mode: overlay");
  EXPECT_EQ(error_of({"--propagation=rshared", "--copy-up=/etc", "x"}),
            "propagation rshared does not support copy-up driver tmpfs+symlink");
  EXPECT_NE(error_of({"--propagation=bogus", "x"}).find("unknown propagation: bogus"), std::string::npos);
  EXPECT_EQ(parse_ns_options({"--propagation=rslave", "--copy-up=/etc", "x"}).propagation, "rslave");
}

TEST(NsOptions, DockerdRootlessInvocationParses) {
  NsOptions o = parse_ns_options({"--net=slirp4netns", "--mtu=65520", "--slirp4netns-sandbox=auto",
                                  "--slirp4netns-seccomp=auto", "--disable-host-loopback", "--port-driver=builtin",
                                  "--copy-up=/etc", "--copy-up=/run", "--propagation=rslave", "/usr/bin/dockerd-rootless.sh"});
  EXPECT_EQ(o.network.mtu, 65520);
  EXPECT_TRUE(o.network.disable_host_loopback);
  EXPECT_EQ(o.network.slirp4netns_sandbox, "auto");
  EXPECT_EQ(o.command, std::vector<std::string>{"/usr/bin/dockerd-rootless.sh"});
}

TEST(NsCommand, EnvironmentDropsTheMarkerAndFixesListenPid) {
  std::string a = "A=1", m = std::string(roost::ns::kChildMarker) + "=5,6,1", l = "LISTEN_PID=99", f = "LISTEN_FDS=2";
  char* env[] = {a.data(), m.data(), l.data(), f.data(), nullptr};
  EXPECT_EQ(roost::ns::command_environment(env, true, 42),
            (std::vector<std::string>{"A=1", "LISTEN_FDS=2", "LISTEN_PID=42"}));
  EXPECT_EQ(roost::ns::command_environment(env, false, 42),
            (std::vector<std::string>{"A=1", "LISTEN_PID=99", "LISTEN_FDS=2"}));
}

TEST(NsCommand, ExitCodes) {
  EXPECT_EQ(roost::ns::exit_code_of(7 << 8), 7);
  EXPECT_EQ(roost::ns::exit_code_of(15), 128 + 15);
}

#include "idmap/subid.hpp"

TEST(SubId, ParsesGetsubidsOutput) {
  using roost::idmap::SubIdRange;
  EXPECT_EQ(roost::idmap::parse_getsubids("0: alice 100000 65536\n1: alice 300000 10\n"),
            (std::vector<SubIdRange>{{100000, 65536}, {300000, 10}}));
  EXPECT_TRUE(roost::idmap::parse_getsubids("Error fetching ranges\n").empty());
  EXPECT_TRUE(roost::idmap::parse_getsubids("0: alice 4294967290 100\n").empty());
}
