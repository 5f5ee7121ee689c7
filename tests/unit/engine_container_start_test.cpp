// The files roost start writes into a container's bundle: /etc/hosts and /etc/resolv.conf.
#include <gtest/gtest.h>

#include "engine/container_start.hpp"

namespace roost::engine {
namespace {

ctr::ContainerConfig config(const std::string& network) {
  ctr::ContainerConfig c;
  c.name = "web";
  c.hostname = "0123456789ab";
  c.network = network;
  return c;
}

TEST(BundleFiles, HostsHasLocalhostAddHostsAndItsOwnName) {
  ctr::ContainerConfig c = config("slirp4netns");
  c.add_hosts = {"db:10.0.2.2", "v6:fd00::1"};
  EXPECT_EQ(container_ip(c), "10.0.2.100");
  EXPECT_EQ(hosts_file(c, container_ip(c)),
            "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
            "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n"
            "10.0.2.2\tdb\n"
            "fd00::1\tv6\n"
            "10.0.2.100\t0123456789ab web\n");
  EXPECT_EQ(container_ip(config("none")), "127.0.0.1");
  EXPECT_EQ(container_ip(config("pasta")), "127.0.0.1");
}

TEST(BundleFiles, ResolvConfByNetwork) {
  const std::string host = "search example.org\nnameserver 127.0.0.53\nnameserver 192.0.2.1\nnameserver ::1\noptions edns0\n";
  EXPECT_EQ(resolv_conf(config("slirp4netns"), host), "nameserver 10.0.2.3\n");
  ctr::ContainerConfig cidr = config("slirp4netns");
  cidr.network_options = {"cidr=10.0.3.0/24"};
  EXPECT_EQ(resolv_conf(cidr, host), "nameserver 10.0.3.3\n");
  EXPECT_EQ(container_ip(cidr), "10.0.3.100");
  EXPECT_EQ(resolv_conf(config("pasta"), host), "search example.org\nnameserver 192.0.2.1\noptions edns0\n");
  EXPECT_EQ(resolv_conf(config("host"), host), host);
  ctr::ContainerConfig dns = config("slirp4netns");
  dns.dns = {"9.9.9.9", "1.1.1.1"};
  EXPECT_EQ(resolv_conf(dns, host), "nameserver 9.9.9.9\nnameserver 1.1.1.1\n");
  // A user-defined network: the host's resolvers but loopback ones; none left: slirp4netns's
  // forwarder through the rootless network namespace's way out.
  EXPECT_EQ(resolv_conf(config("appnet"), host), "search example.org\nnameserver 192.0.2.1\noptions edns0\n");
  EXPECT_EQ(resolv_conf(config("appnet"), "search lan\nnameserver 127.0.0.53\n"), "search lan\nnameserver 10.0.2.3\n");
  // A comment naming a nameserver, or an IPv6 one only, is no resolver a container there can use.
  EXPECT_EQ(resolv_conf(config("appnet"), "# nameserver 8.8.8.8 is the actual one\nnameserver 127.0.0.53\n"),
            "# nameserver 8.8.8.8 is the actual one\nnameserver 10.0.2.3\n");
  EXPECT_EQ(resolv_conf(config("appnet"), "nameserver 2001:db8::53\n"), "nameserver 2001:db8::53\nnameserver 10.0.2.3\n");
  EXPECT_EQ(resolv_conf(config("pasta"), "nameserver 127.0.0.53\n"), "");
}

}  // namespace
}  // namespace roost::engine
