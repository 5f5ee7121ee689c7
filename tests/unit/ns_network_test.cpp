// Network drivers of roost ns: address arithmetic, the ChildNetwork message, the helpers' command
// lines, and the real slirp4netns and pasta serving a child in its own user+net namespace.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <string>

#include "ns/net/child_addresses.hpp"
#include "ns/net/network_driver.hpp"
#include "ns/net/pasta_driver.hpp"
#include "ns/net/pasta_ports.hpp"
#include "ns/net/slirp4netns_driver.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace roost::ns {
namespace {

using Args = std::vector<std::string>;

bool contains(const Args& args, const Args& run) {
  return std::search(args.begin(), args.end(), run.begin(), run.end()) != args.end();
}

TEST(ChildAddresses, RootlesskitArithmetic) {
  ChildAddresses a = child_addresses("10.0.2.0/24");
  EXPECT_EQ(a.ip, "10.0.2.100");
  EXPECT_EQ(a.prefix_length, 24);
  EXPECT_EQ(a.gateway, "10.0.2.2");
  EXPECT_EQ(a.dns, "10.0.2.3");
  ChildAddresses b = child_addresses("10.5.0.0/16");
  EXPECT_EQ(b.ip, "10.5.0.100");
  EXPECT_EQ(b.gateway, "10.5.0.2");
  EXPECT_EQ(b.dns, "10.5.0.3");
  EXPECT_EQ(child_addresses("192.168.7.128/25").ip, "192.168.7.228");
  EXPECT_EQ(ipv4_netmask(24), "255.255.255.0");
  EXPECT_EQ(ipv4_netmask(32), "255.255.255.255");
}

TEST(ChildAddresses, RefusesWhatCannotHoldTheChild) {
  EXPECT_THROW(child_addresses("bogus"), Error);
  EXPECT_THROW(child_addresses("10.0.2.0/33"), Error);
  EXPECT_THROW(child_addresses("10.0.2.0"), Error);
  EXPECT_THROW(child_addresses("fd00::/64"), Error);
  EXPECT_THROW(child_addresses("10.0.2.0/26"), Error);
  try {
    child_addresses("10.0.2.100/24");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "cidr must be like 10.0.2.0/24, not like 10.0.2.100/24");
  }
}

TEST(ChildNetworkJson, RoundTrips) {
  ChildNetwork net{"slirp4netns", "tap0", "10.0.2.100", 24, "10.0.2.2", {"10.0.2.3", "fd00::3"}, 65520, true, false};
  ChildNetwork back = child_network_from_json(to_json(net));
  EXPECT_EQ(back.driver, "slirp4netns");
  EXPECT_EQ(back.dev, "tap0");
  EXPECT_EQ(back.ip, "10.0.2.100");
  EXPECT_EQ(back.prefix_length, 24);
  EXPECT_EQ(back.gateway, "10.0.2.2");
  EXPECT_EQ(back.dns, (std::vector<std::string>{"10.0.2.3", "fd00::3"}));
  EXPECT_EQ(back.mtu, 65520);
  EXPECT_TRUE(back.ipv6);
  EXPECT_FALSE(back.configured_by_driver);
  EXPECT_THROW(child_network_from_json("{\"driver\":1}"), Error);
  EXPECT_THROW(child_network_from_json("not json"), Error);
}

TEST(MakeNetworkDriver, RefusesWhatRoostLacksInOneLine) {
  for (const char* name : {"vpnkit", "lxc-user-nic", "gvisor-tap-vsock", "bogus"}) {
    NetworkOptions o;
    o.driver = name;
    try {
      make_network_driver(o);
      FAIL() << name;
    } catch (const Error& e) {
      std::string what = e.what();
      EXPECT_EQ(what.find('\n'), std::string::npos);
      EXPECT_NE(what.find(name), std::string::npos) << what;
    }
  }
  NetworkOptions host;
  EXPECT_FALSE(make_network_driver(host)->needs_netns());
  host.driver = "none";
  EXPECT_TRUE(make_network_driver(host)->needs_netns());
}

TEST(MakeNetworkDriver, MissingBinaryIsCheckedBeforeStart) {
  NetworkOptions o;
  o.driver = "slirp4netns";
  o.slirp4netns_binary = "/nonexistent/slirp4netns";
  try {
    make_network_driver(o)->check();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("install the Debian package slirp4netns"), std::string::npos) << e.what();
  }
  o.driver = "pasta";
  o.pasta_binary = "no-such-pasta";
  try {
    make_network_driver(o)->check();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("install the Debian package passt"), std::string::npos) << e.what();
  }
}

TEST(Slirp4netnsDriver, CommandLineAsRootlesskitsPlusExitFd) {
  NetworkOptions o;
  o.driver = "slirp4netns";
  o.mtu = 1400;
  o.cidr = "10.5.0.0/16";
  o.disable_host_loopback = true;
  o.ipv6 = true;
  o.slirp4netns_sandbox = "true";
  o.slirp4netns_seccomp = "true";
  Slirp4netnsDriver d(o);
  Args args = d.arguments({1234, "", ""}, "/s/.s4nn.sock");
  EXPECT_TRUE(contains(args, {"--mtu", "1400", "-r", "3", "-e", "4"}));
  EXPECT_TRUE(contains(args, {"--disable-host-loopback"}));
  EXPECT_TRUE(contains(args, {"--cidr", "10.5.0.0/16"}));
  EXPECT_TRUE(contains(args, {"--api-socket", "/s/.s4nn.sock"}));
  EXPECT_TRUE(contains(args, {"--enable-sandbox"}));
  EXPECT_TRUE(contains(args, {"--enable-seccomp"}));
  EXPECT_TRUE(contains(args, {"--enable-ipv6"}));
  EXPECT_TRUE(contains(args, {"1234", "tap0"}));
  EXPECT_EQ(args.back(), "tap0");

  o.detach_netns = true;
  o.slirp4netns_sandbox = "auto";
  o.ifname = "eth7";
  Slirp4netnsDriver detached(o);
  EXPECT_FALSE(detached.sandbox());
  Args by_path = detached.arguments({1234, "/proc/1234/root/s/netns", "/proc/1234/ns/user"}, "");
  EXPECT_TRUE(contains(by_path, {"--netns-type=path", "--userns-path=/proc/1234/ns/user", "/proc/1234/root/s/netns", "eth7"}));
  EXPECT_FALSE(contains(by_path, {"1234"}));
  EXPECT_FALSE(contains(by_path, {"--enable-sandbox"}));
}

TEST(PastaDriver, CommandLineConfiguresTheNamespace) {
  NetworkOptions o;
  o.driver = "pasta";
  o.disable_host_loopback = true;
  PastaDriver d(o);
  Args args = d.arguments({1234, "", ""}, "/s/.pasta.pid", "/s/.pasta.log");
  EXPECT_TRUE(contains(args, {"--ns-ifname", "tap0", "--mtu", "65520", "--config-net", "--address", "10.0.2.100",
                              "--netmask", "24", "--gateway", "10.0.2.2", "--dns-forward", "10.0.2.3"}));
  EXPECT_TRUE(contains(args, {"--no-map-gw"}));
  EXPECT_TRUE(contains(args, {"--ipv4-only"}));
  EXPECT_TRUE(contains(args, {"-t", "none", "-u", "none", "-T", "none", "-U", "none"}));
  EXPECT_TRUE(contains(args, {"-P", "/s/.pasta.pid", "1234"}));
  o.ipv6 = true;
  o.disable_host_loopback = false;
  Args v6 = PastaDriver(o).arguments({1234, "/n", "/u"}, "/p", "/l");
  EXPECT_FALSE(contains(v6, {"--ipv4-only"}));
  EXPECT_FALSE(contains(v6, {"--no-map-gw"}));
  EXPECT_TRUE(contains(v6, {"--userns", "/u", "--netns", "/n"}));
}

TEST(PastaPorts, SpecsInPastasSyntax) {
  std::vector<PortSpec> specs = {{"tcp", "127.0.0.1", 8080, 80, ""},
                                 {"tcp4", "", 21500, 21500, ""},
                                 {"udp6", "::1", 5353, 53, ""},
                                 {"udp", "", 21501, 21502, ""}};
  EXPECT_EQ(pasta_port_arguments(specs),
            (Args{"-t", "127.0.0.1/8080:80", "-t", "0.0.0.0/21500", "-u", "::1/5353:53", "-u", "21501:21502"}));
  NetworkOptions o;
  o.driver = "pasta";
  o.published_ports = {{"tcp", "", 21500, 80, ""}};
  Args args = PastaDriver(o).arguments({1, "", ""}, "/p", "/l");
  EXPECT_TRUE(contains(args, {"-t", "21500:80", "-u", "none"}));
  EXPECT_FALSE(contains(args, {"-t", "none"}));
}

TEST(PastaPorts, RefusesWhatThisPastaLacks) {
  EXPECT_THROW(pasta_port_arguments({{"sctp", "", 8080, 80, ""}}), Error);
  EXPECT_THROW(pasta_port_arguments({{"tcp", "", 8080, 80, "10.0.2.100"}}), Error);
  NetworkOptions o;
  o.driver = "pasta";
  o.published_ports = {{"sctp4", "", 8080, 80, ""}};
  if (access("/usr/bin/pasta", X_OK) == 0) {
    EXPECT_THROW(PastaDriver(o).check(), Error);
  }
}

}  // namespace
}  // namespace roost::ns
