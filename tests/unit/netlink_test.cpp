#include "../helpers/private_netns.hpp"
#include "sys/netlink.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <string>

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace {

// Runs `body` in a child process that is root of a new user and network namespace (a one-id map
// of the caller, as any user may write) and returns its exit status: 0 when every check held.
int in_private_netns(const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) {
    try {
      roost::test::enter_private_user_and_netns();
      _exit(body());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      _exit(100);
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The output of a shell command (iproute2's `ip`, read as the oracle of what the kernel holds).
std::string output_of(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

int check(bool ok, const char* what) {
  if (!ok) std::fprintf(stderr, "check failed: %s\n", what);
  return ok ? 0 : 1;
}

// A tap device in the current network namespace, alive while the fd is open.
roost::UniqueFd make_tap(const char* name) {
  roost::UniqueFd tun(open("/dev/net/tun", O_RDWR | O_CLOEXEC));
  if (!tun) roost::throw_errno("open /dev/net/tun");
  ifreq req{};
  req.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::snprintf(req.ifr_name, sizeof req.ifr_name, "%s", name);
  if (ioctl(tun.get(), TUNSETIFF, &req) != 0) roost::throw_errno("TUNSETIFF");
  return tun;
}

}  // namespace

TEST(Netlink, ConfiguresALinkItsAddressAndDefaultRoute) {
  if (access("/dev/net/tun", R_OK | W_OK) != 0) GTEST_SKIP() << "/dev/net/tun is not usable";
  int status = in_private_netns([] {
    roost::UniqueFd tap = make_tap("tap0");
    roost::netlink::RouteSocket rt;
    rt.set_link_up("lo");
    rt.set_link_mtu("tap0", 65520);
    rt.add_address("tap0", "10.0.2.100", 24);
    rt.set_link_up("tap0");
    rt.add_default_route("tap0", "10.0.2.2");
    rt.add_address("tap0", "fd00::100", 64);
    std::string link = output_of("ip -o link show tap0");
    std::string addr = output_of("ip -o addr show tap0");
    std::string route = output_of("ip route show default");
    std::string lo = output_of("ip -o link show lo");
    return check(link.find("mtu 65520") != std::string::npos, "mtu") |
           check(addr.find("inet 10.0.2.100/24") != std::string::npos, "ipv4 address") |
           check(addr.find("inet6 fd00::100/64") != std::string::npos, "ipv6 address") |
           check(route.find("default via 10.0.2.2 dev tap0") != std::string::npos, "default route") |
           check(lo.find("UP") != std::string::npos, "lo up");
  });
  EXPECT_EQ(status, 0);
}

TEST(Netlink, AKernelRefusalCarriesTheErrnoAndTheRequest) {
  int status = in_private_netns([] {
    roost::netlink::RouteSocket rt;
    rt.add_address("lo", "10.9.9.9", 32);
    try {
      rt.add_address("lo", "10.9.9.9", 32);
    } catch (const roost::SysError& e) {
      return check(e.err() == EEXIST, "EEXIST") |
             check(std::string(e.what()).find("add address 10.9.9.9/32 to lo") != std::string::npos, "message");
    }
    return check(false, "second add of the same address was accepted");
  });
  EXPECT_EQ(status, 0);
  EXPECT_EQ(in_private_netns([] {
              try {
                roost::netlink::RouteSocket().set_link_up("nosuchlink0");
              } catch (const roost::SysError& e) {
                return check(std::string(e.what()).find("nosuchlink0") != std::string::npos, "name");
              }
              return 1;
            }),
            0);
}

TEST(Netlink, SportRulesAndALocalTableAreAddedOnceAndRemovedIdempotently) {
  int status = in_private_netns([] {
    roost::netlink::RouteSocket rt;
    rt.set_link_up("lo");
    rt.add_local_default_route(AF_INET, "lo", 1000);
    rt.add_local_default_route(AF_INET6, "lo", 1000);
    rt.add_sport_rule(AF_INET, IPPROTO_TCP, 8080, 1000, 100);
    rt.add_sport_rule(AF_INET, IPPROTO_TCP, 8080, 1000, 100);  // already there: no error
    rt.add_sport_rule(AF_INET6, IPPROTO_UDP, 53, 1000, 100);
    std::string rules = output_of("ip rule show");
    std::string rules6 = output_of("ip -6 rule show");
    std::string table = output_of("ip route show table 1000");
    int bad = check(rules.find("100:\tfrom all ipproto tcp sport 8080 lookup 1000") != std::string::npos, "tcp rule") |
              check(rules.find("sport 8080", rules.find("sport 8080") + 1) == std::string::npos, "rule once") |
              check(rules6.find("ipproto udp sport 53 lookup 1000") != std::string::npos, "udp6 rule") |
              check(table.find("local default dev lo") != std::string::npos, "local table");
    rt.delete_sport_rule(AF_INET, IPPROTO_TCP, 8080, 1000, 100);
    rt.delete_sport_rule(AF_INET, IPPROTO_TCP, 8080, 1000, 100);  // gone already: no error
    bad |= check(output_of("ip rule show").find("sport 8080") == std::string::npos, "rule removed");
    return bad;
  });
  EXPECT_EQ(status, 0);
}
