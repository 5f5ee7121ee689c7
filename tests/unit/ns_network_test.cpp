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

#include <algorithm>
#include <cstdio>
#include <dirent.h>
#include <functional>
#include <string>

#include "../helpers/private_netns.hpp"
#include "ns/net/child_addresses.hpp"
#include "ns/net/network_driver.hpp"
#include "ns/net/pasta_driver.hpp"
#include "ns/net/slirp4netns_mode_options.hpp"
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

TEST(Slirp4netnsModeOptions, PodmansWordsSetTheDriversOptions) {
  NetworkOptions o;
  EXPECT_FALSE(apply_slirp4netns_mode_options({}, o).slirp4netns_port_handler);
  EXPECT_EQ(o.driver, "slirp4netns");
  EXPECT_TRUE(o.disable_host_loopback);  // podman's default
  EXPECT_TRUE(o.cidr.empty());

  NetworkOptions all;
  auto mode = apply_slirp4netns_mode_options({"allow_host_loopback=true", "cidr=10.0.3.0/24", "enable_ipv6=true", "mtu=1500",
                                              "outbound_addr=lo", "outbound_addr6=::1", "port_handler=slirp4netns"},
                                             all);
  EXPECT_TRUE(mode.slirp4netns_port_handler);
  EXPECT_FALSE(all.disable_host_loopback);
  EXPECT_EQ(all.cidr, "10.0.3.0/24");
  EXPECT_TRUE(all.ipv6);
  EXPECT_EQ(all.mtu, 1500);
  EXPECT_EQ(all.outbound_addr, "127.0.0.1");  // lo's address, by the interface's name
  EXPECT_EQ(all.outbound_addr6, "::1");
  Slirp4netnsDriver d(all);
  Args args = d.arguments({1234, "", ""}, "");
  EXPECT_TRUE(contains(args, {"--outbound-addr=127.0.0.1"}));
  EXPECT_TRUE(contains(args, {"--outbound-addr6=::1"}));
  EXPECT_FALSE(contains(args, {"--disable-host-loopback"}));

  NetworkOptions rootlesskit_handler;
  EXPECT_FALSE(apply_slirp4netns_mode_options({"port_handler=rootlesskit", "allow_host_loopback=false"}, rootlesskit_handler)
                   .slirp4netns_port_handler);
  EXPECT_TRUE(rootlesskit_handler.disable_host_loopback);
}

TEST(Slirp4netnsModeOptions, RefusesWhatItCannotApplyNamingTheWord) {
  auto refused = [](std::vector<std::string> words) {
    NetworkOptions o;
    try {
      apply_slirp4netns_mode_options(words, o);
    } catch (const roost::Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(refused({"frobnicate=1"}).find("unknown option for slirp4netns: \"frobnicate\""), std::string::npos);
  EXPECT_NE(refused({"allow_host_loopback"}).find("needs a value"), std::string::npos);
  EXPECT_NE(refused({"allow_host_loopback=yes"}).find("true or false"), std::string::npos);
  EXPECT_NE(refused({"mtu=20"}).find("68 to 65521"), std::string::npos);
  EXPECT_NE(refused({"mtu=15x"}).find("invalid value of mtu"), std::string::npos);
  EXPECT_NE(refused({"cidr=10.0.3.0/30"}).find("cannot hold"), std::string::npos);
  EXPECT_NE(refused({"cidr=nonsense"}).find("invalid CIDR"), std::string::npos);
  EXPECT_NE(refused({"outbound_addr=no-such-interface0"}).find("not an IPv4 address"), std::string::npos);
  EXPECT_NE(refused({"port_handler=vpnkit"}).find("rootlesskit or slirp4netns"), std::string::npos);
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

// ---- The real helpers, serving a child that unshared its own user and network namespace ----

// What the child saw after configure_child_network: its address, MTU, default gateway and the
// result of a TCP connect to the gateway (the host's loopback through the driver).
struct ChildView {
  std::string ip;
  int mtu = 0;
  std::string gateway;
  std::string connect;  // "connected", "refused", "timeout" or an errno name
  std::string error;
};

std::string ipv4_of(const std::string& dev, int* mtu) {
  UniqueFd s(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq req{};
  std::snprintf(req.ifr_name, IFNAMSIZ, "%s", dev.c_str());
  if (ioctl(s.get(), SIOCGIFMTU, &req) == 0) *mtu = req.ifr_mtu;
  if (ioctl(s.get(), SIOCGIFADDR, &req) != 0) return "none";
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&req.ifr_addr)->sin_addr, text, sizeof text);
  return text;
}

// The gateway of the default route in /proc/net/route (hex, network byte order).
std::string default_gateway() {
  for (const std::string& line : split(read_file("/proc/net/route"), '\n')) {
    char iface[32];
    unsigned dest = 1, gw = 0;
    if (std::sscanf(line.c_str(), "%31s %x %x", iface, &dest, &gw) == 3 && dest == 0) {
      in_addr a{gw};
      return inet_ntoa(a);
    }
  }
  return "none";
}

std::string try_connect(const std::string& ip, int port) {
  UniqueFd s(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip.c_str(), &to.sin_addr);
  if (connect(s.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) < 0 && errno != EINPROGRESS) return errno_name(errno);
  pollfd p{s.get(), POLLOUT, 0};
  if (poll(&p, 1, 3000) == 0) return "timeout";
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  return err == 0 ? "connected" : err == ECONNREFUSED ? "refused" : errno_name(err);
}

// A listening TCP socket on the host's 127.0.0.1, port chosen by the kernel.
struct HostServer {
  UniqueFd fd{socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  int port = 0;
  HostServer() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&a), len) < 0 || listen(fd.get(), 8) < 0) throw_errno("listen");
    getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
};

std::string read_all(int fd) {
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

// The child's side: own namespaces, then (once the parent has started the driver) the network
// message, configure_child_network and the probes, reported as "ip mtu gateway connect".
[[noreturn]] void child_side(int sock, int port) {
  try {
    roost::test::enter_private_user_and_netns();
    (void)!write(sock, "u", 1);
    std::string message;
    char c;
    while (read(sock, &c, 1) == 1 && c != '\n') message += c;
    ChildNetwork net = child_network_from_json(message);
    configure_child_network(net);
    int mtu = 0;
    std::string ip = ipv4_of(net.dev, &mtu);
    std::string report = ip + " " + std::to_string(mtu) + " " + default_gateway() + " " + try_connect(net.gateway, port);
    (void)!write(sock, report.data(), report.size());
    _exit(0);
  } catch (const std::exception& e) {
    std::string report = std::string("error ") + e.what();
    (void)!write(sock, report.data(), report.size());
    _exit(1);
  }
}

class DriverInNamespace : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/roost-ns-net-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    state_dir_ = tmpl;
  }
  void TearDown() override { remove_tree(state_dir_); }

  // Starts `options`' driver against a fresh child (by pid, or by path as --detach-netns does) and
  // returns what the child saw; the driver is stopped before it returns.
  ChildView serve_child(const NetworkOptions& options, bool by_path, std::vector<pid_t>* helpers = nullptr) {
    size_t fds_before = open_fds();
    ChildView view = serve_child_once(options, by_path, helpers);
    EXPECT_EQ(open_fds(), fds_before) << "a descriptor leaked";
    return view;
  }

  ChildView serve_child_once(const NetworkOptions& options, bool by_path, std::vector<pid_t>* helpers) {
    int pair[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
    UniqueFd ours(pair[0]), theirs(pair[1]);
    pid_t pid = fork();
    if (pid == 0) child_side(theirs.get(), server_.port);
    theirs.reset();
    ChildView view;
    char c = 0;
    if (read(ours.get(), &c, 1) != 1) {
      view.error = "child did not unshare: " + read_all(ours.get());
    } else {
      try {
        auto driver = make_network_driver(options);
        driver->check();
        NetnsTarget target{pid, "", ""};
        std::string proc = "/proc/" + std::to_string(pid);
        if (by_path) target = {pid, proc + "/ns/net", proc + "/ns/user"};
        std::string message = to_json(driver->start(target, state_dir_)) + "\n";
        if (helpers) *helpers = driver->helper_pids();
        (void)!write(ours.get(), message.data(), message.size());
        parse_report(read_all(ours.get()), view);
        driver->stop();
        driver->stop();  // idempotent
      } catch (const Error& e) {
        view.error = e.what();
        kill(pid, SIGKILL);
      }
    }
    waitpid(pid, nullptr, 0);
    return view;
  }

  static void parse_report(const std::string& report, ChildView& view) {
    char ip[64] = "", gw[64] = "", result[64] = "";
    if (std::sscanf(report.c_str(), "%63s %d %63s %63s", ip, &view.mtu, gw, result) != 4 || std::string(ip) == "error")
      view.error = report;
    view.ip = ip, view.gateway = gw, view.connect = result;
  }

  static bool gone(pid_t pid) { return kill(pid, 0) != 0 && errno == ESRCH; }
  static size_t open_fds() {
    size_t n = 0;
    for (const std::string& line : split(output_of_ls("/proc/self/fd"), '\n')) n += !line.empty();
    return n;
  }
  static std::string output_of_ls(const std::string& dir) {
    std::string out;
    if (DIR* d = opendir(dir.c_str())) {
      while (dirent* e = readdir(d)) out += std::string(e->d_name) + "\n";
      closedir(d);
    }
    return out;
  }

  std::string state_dir_;
  HostServer server_;
};

NetworkOptions slirp_options() {
  NetworkOptions o;
  o.driver = "slirp4netns";
  return o;
}

TEST_F(DriverInNamespace, Slirp4netnsReachesHostLoopbackAtTheGateway) {
  std::vector<pid_t> helpers;
  ChildView v = serve_child(slirp_options(), false, &helpers);
  ASSERT_EQ(v.error, "");
  EXPECT_EQ(v.ip, "10.0.2.100");
  EXPECT_EQ(v.mtu, 65520);
  EXPECT_EQ(v.gateway, "10.0.2.2");
  EXPECT_EQ(v.connect, "connected");
  ASSERT_EQ(helpers.size(), 1u);
  EXPECT_TRUE(gone(helpers[0]));  // stopped and reaped
  EXPECT_FALSE(path_exists(state_dir_ + "/.s4nn.sock"));
}

TEST_F(DriverInNamespace, Slirp4netnsDisableHostLoopbackRefuses) {
  NetworkOptions o = slirp_options();
  o.disable_host_loopback = true;
  o.cidr = "10.5.0.0/16";
  o.mtu = 1400;
  ChildView v = serve_child(o, false);
  ASSERT_EQ(v.error, "");
  EXPECT_EQ(v.ip, "10.5.0.100");
  EXPECT_EQ(v.mtu, 1400);
  EXPECT_EQ(v.gateway, "10.5.0.2");
  EXPECT_NE(v.connect, "connected");
}

TEST_F(DriverInNamespace, Slirp4netnsJoinsByPathWithSandboxAndSeccomp) {
  NetworkOptions by_path = slirp_options();
  by_path.detach_netns = true;
  ChildView v = serve_child(by_path, true);
  ASSERT_EQ(v.error, "");
  EXPECT_EQ(v.connect, "connected");
  NetworkOptions sandboxed = slirp_options();
  sandboxed.slirp4netns_sandbox = "true";
  sandboxed.slirp4netns_seccomp = "true";
  ChildView s = serve_child(sandboxed, false);
  ASSERT_EQ(s.error, "");
  EXPECT_EQ(s.connect, "connected");
}

TEST_F(DriverInNamespace, Slirp4netnsFailureIsOneLineWithItsReason) {
  NetworkOptions o = slirp_options();
  o.slirp4netns_binary = "/bin/false";  // exits at once, never ready
  ChildView v = serve_child(o, false);
  EXPECT_NE(v.error, "");
  EXPECT_EQ(v.error.find('\n'), std::string::npos) << v.error;
  EXPECT_NE(v.error.find("slirp4netns"), std::string::npos) << v.error;
}

TEST_F(DriverInNamespace, PastaConfiguresTheNamespaceAndMapsTheGateway) {
  NetworkOptions o;
  o.driver = "pasta";
  o.mtu = 9000;
  std::vector<pid_t> helpers;
  ChildView v = serve_child(o, false, &helpers);
  ASSERT_EQ(v.error, "");
  EXPECT_EQ(v.ip, "10.0.2.100");
  EXPECT_EQ(v.mtu, 9000);
  EXPECT_EQ(v.gateway, "10.0.2.2");
  EXPECT_EQ(v.connect, "connected");
  ASSERT_EQ(helpers.size(), 1u);
  EXPECT_TRUE(gone(helpers[0]));
  EXPECT_FALSE(path_exists(state_dir_ + "/.pasta.pid"));
}

TEST_F(DriverInNamespace, PastaJoinsByPath) {
  NetworkOptions o;
  o.driver = "pasta";
  o.detach_netns = true;
  ChildView v = serve_child(o, true);
  ASSERT_EQ(v.error, "");
  EXPECT_EQ(v.ip, "10.0.2.100");
  EXPECT_EQ(v.connect, "connected");
}

// The parent's event loop learns of a dead helper from helper_exit_fd().
TEST_F(DriverInNamespace, HelperDeathIsNoticed) {
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  UniqueFd ours(pair[0]), theirs(pair[1]);
  pid_t pid = fork();
  if (pid == 0) child_side(theirs.get(), server_.port);
  char c;
  ASSERT_EQ(read(ours.get(), &c, 1), 1);
  for (const char* name : {"slirp4netns", "pasta"}) {
    NetworkOptions o;
    o.driver = name;
    auto driver = make_network_driver(o);
    driver->start({pid, "", ""}, state_dir_);
    pollfd p{driver->helper_exit_fd(), POLLIN, 0};
    EXPECT_EQ(poll(&p, 1, 0), 0) << name;
    kill(driver->helper_pids().at(0), SIGKILL);
    EXPECT_EQ(poll(&p, 1, 3000), 1) << name;
    driver->stop();
    EXPECT_EQ(driver->helper_exit_fd(), -1);
    EXPECT_TRUE(driver->helper_pids().empty());
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

// The implicit port driver's ports: pasta started with -t forwards the host's port into the child.
TEST_F(DriverInNamespace, PastaForwardsPublishedPorts) {
  HostServer probe;  // a free port number for the host side, released before pasta binds it
  int host_port = probe.port;
  probe.fd.reset();
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  UniqueFd ours(pair[0]), theirs(pair[1]);
  pid_t pid = fork();
  if (pid == 0) {
    // The child: own namespaces, then a server on 0.0.0.0:21520 that greets one client.
    uid_t uid = getuid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) _exit(1);
    write_file("/proc/self/setgroups", "deny", O_WRONLY);
    write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1", O_WRONLY);
    UniqueFd server(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(21520);
    (void)!write(theirs.get(), "u", 1);
    char c;
    if (read(theirs.get(), &c, 1) != 1) _exit(1);
    if (bind(server.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || listen(server.get(), 1) < 0) _exit(2);
    (void)!write(theirs.get(), "l", 1);
    UniqueFd client(accept(server.get(), nullptr, nullptr));
    (void)!write(client.get(), "from-child", 10);
    _exit(0);
  }
  theirs.reset();
  char c;
  ASSERT_EQ(read(ours.get(), &c, 1), 1);
  NetworkOptions o;
  o.driver = "pasta";
  o.published_ports = {{"tcp", "127.0.0.1", host_port, 21520, ""}};
  auto driver = make_network_driver(o);
  driver->check();
  driver->start({pid, "", ""}, state_dir_);
  ASSERT_EQ(write(ours.get(), "n", 1), 1);
  ASSERT_EQ(read(ours.get(), &c, 1), 1);  // the child listens
  UniqueFd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(host_port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(client.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  EXPECT_EQ(read_all(client.get()), "from-child");
  driver->stop();
  waitpid(pid, nullptr, 0);
}

TEST_F(DriverInNamespace, NoneHasLoopbackOnly) {
  NetworkOptions o;
  o.driver = "none";
  ChildView v = serve_child(o, false);
  ASSERT_EQ(v.error, "");
  EXPECT_EQ(v.ip, "none");
  EXPECT_EQ(v.gateway, "none");
}

}  // namespace
}  // namespace roost::ns
