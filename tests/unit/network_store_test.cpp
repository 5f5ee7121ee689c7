// User-defined networks as data: subnet arithmetic, the records (create's defaults and checks),
// address leases, and the /etc/hosts section every container on a network gets.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "ctr/network_store.hpp"
#include "ctr/subnet.hpp"
#include "engine/network_ops.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::ctr {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/roost-netstore-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(Subnet, ParsesAndClearsHostBits) {
  EXPECT_EQ(parse_subnet("10.1.2.3/24").text(), "10.1.2.0/24");
  EXPECT_EQ(parse_subnet("192.168.7.0/30").text(), "192.168.7.0/30");
  EXPECT_THROW(parse_subnet("10.1.2.0"), Error);
  EXPECT_THROW(parse_subnet("10.1.2.0/31"), Error);
  EXPECT_THROW(parse_subnet("10.1.2.0/x"), Error);
  EXPECT_THROW(parse_subnet("fd00::/64"), Error);
  EXPECT_THROW(parse_subnet("10.0.0.0/4"), Error);
}

TEST(Subnet, Overlap) {
  EXPECT_TRUE(overlaps(parse_subnet("10.89.0.0/16"), parse_subnet("10.89.3.0/24")));
  EXPECT_TRUE(overlaps(parse_subnet("10.89.3.0/24"), parse_subnet("10.89.0.0/16")));
  EXPECT_FALSE(overlaps(parse_subnet("10.89.3.0/24"), parse_subnet("10.89.4.0/24")));
}

TEST(Subnet, FirstFreeSkipsUsedAndOverlapping) {
  EXPECT_EQ(first_free_subnet({})->text(), "10.89.0.0/24");
  EXPECT_EQ(first_free_subnet({parse_subnet("10.89.0.0/24"), parse_subnet("10.89.1.0/25")})->text(), "10.89.2.0/24");
  EXPECT_FALSE(first_free_subnet({parse_subnet("10.89.0.0/16")}).has_value());
}

TEST(Subnet, Addresses) {
  const Ipv4Subnet s = parse_subnet("10.89.0.0/24");
  EXPECT_EQ(ipv4_text(default_gateway(s)), "10.89.0.1");
  EXPECT_FALSE(is_host_address(s, parse_ipv4("10.89.0.0")));
  EXPECT_FALSE(is_host_address(s, parse_ipv4("10.89.0.255")));
  EXPECT_FALSE(is_host_address(s, parse_ipv4("10.89.1.5")));
  EXPECT_TRUE(is_host_address(s, parse_ipv4("10.89.0.254")));
  EXPECT_EQ(ipv4_text(*first_free_address(s, parse_ipv4("10.89.0.1"), {parse_ipv4("10.89.0.2")})), "10.89.0.3");
  const Ipv4Subnet tiny = parse_subnet("10.9.9.0/30");  // .1 gateway, .2 the only host
  EXPECT_EQ(ipv4_text(*first_free_address(tiny, parse_ipv4("10.9.9.1"), {})), "10.9.9.2");
  EXPECT_FALSE(first_free_address(tiny, parse_ipv4("10.9.9.1"), {parse_ipv4("10.9.9.2")}).has_value());
}

TEST(NetworkStore, CreateDefaultsAsPodman) {
  TempDir d;
  NetworkStore store(d.path() / "data", d.path() / "run");
  const NetworkConfig a = store.create({});
  EXPECT_EQ(a.name, "roost1");
  EXPECT_EQ(a.network_interface, "roost1");
  EXPECT_EQ(a.driver, "bridge");
  EXPECT_EQ(a.id.size(), 64u);
  ASSERT_EQ(a.subnets.size(), 1u);
  EXPECT_EQ(a.subnets[0], (NetworkSubnet{"10.89.0.0/24", "10.89.0.1"}));
  EXPECT_EQ(a.ipam_options.at("driver"), "host-local");
  NetworkRequest r;
  r.name = "web";
  r.labels = {{"app", "x"}};
  const NetworkConfig b = store.create(r);
  EXPECT_EQ(b.network_interface, "roost2");
  EXPECT_EQ(b.subnets[0].subnet, "10.89.1.0/24");
  EXPECT_EQ(store.find("web"), b);
  EXPECT_EQ(store.find(b.id.substr(0, 10)), b);
  EXPECT_FALSE(store.find("nope").has_value());
  ASSERT_EQ(store.list().size(), 2u);
  EXPECT_EQ(store.list()[0].name, "roost1");
  // The record round-trips, labels included.
  EXPECT_EQ(network_from_json(to_json(b)), b);
  EXPECT_EQ(network_from_json(read_file(store.network_file("web").string())), b);
}

TEST(NetworkStore, CreateRefusesBadInput) {
  TempDir d;
  NetworkStore store(d.path() / "data", d.path() / "run");
  NetworkRequest r;
  r.name = "one";
  r.subnet = "10.50.0.0/16";
  r.gateway = "10.50.9.9";
  const NetworkConfig one = store.create(r);
  EXPECT_EQ(one.subnets[0], (NetworkSubnet{"10.50.0.0/16", "10.50.9.9"}));
  EXPECT_THROW(store.create(r), Error);  // the name is taken
  r.name = "two";
  r.subnet = "10.50.3.0/24";
  r.gateway = "";
  EXPECT_THROW(store.create(r), Error);  // overlaps one
  r.subnet = "10.60.0.0/24";
  r.gateway = "10.61.0.1";
  EXPECT_THROW(store.create(r), Error);  // gateway outside
  r.gateway = "10.60.0.255";
  EXPECT_THROW(store.create(r), Error);  // broadcast
  r.gateway = "";
  r.name = "../x";
  EXPECT_THROW(store.create(r), Error);
  r.name = "host";
  EXPECT_THROW(store.create(r), Error);  // a network mode
  r.name = "two";
  r.subnet = "";
  r.gateway = "10.89.0.1";
  EXPECT_THROW(store.create(r), Error);  // --gateway without --subnet
  EXPECT_EQ(store.list().size(), 1u);
}

TEST(NetworkStore, LeasesAreStableAndReused) {
  TempDir d;
  NetworkStore store(d.path() / "data", d.path() / "run");
  const NetworkConfig n = store.create({});
  auto lock = store.lock();
  const NetworkLease a = store.lease(n, std::string(64, 'a'), "web", "/x/a/hosts");
  const NetworkLease b = store.lease(n, std::string(64, 'b'), "client", "/x/b/hosts");
  EXPECT_EQ(a.address, "10.89.0.2");
  EXPECT_EQ(b.address, "10.89.0.3");
  EXPECT_EQ(store.lease(n, std::string(64, 'a'), "web", "/x/a/hosts"), a);  // the same again
  store.release(n.name, a.container_id);
  store.release(n.name, a.container_id);  // twice is fine
  EXPECT_EQ(store.leases(n.name), std::vector<NetworkLease>{b});
  EXPECT_EQ(store.lease(n, std::string(64, 'c'), "other", "/x/c/hosts").address, "10.89.0.2");
  lock.release();
  store.remove(n.name);
  EXPECT_TRUE(store.leases(n.name).empty());
  EXPECT_FALSE(store.find(n.name).has_value());
}

TEST(NetworkStore, ModesAreNotNetworks) {
  for (const char* mode : {"none", "host", "slirp4netns", "pasta", "private", "bridge", "ns:/run/x", "container:abc"})
    EXPECT_TRUE(is_network_mode(mode)) << mode;
  EXPECT_FALSE(is_network_mode("appnet"));
  EXPECT_FALSE(is_network_mode("hostile"));
}

TEST(NetworkHosts, SectionReplacedKeepingTheRest) {
  const std::string base = "127.0.0.1\tlocalhost\n10.0.0.9\textra\n";
  const std::vector<NetworkLease> two{{std::string(64, 'a'), "web", "10.89.0.2", ""},
                                      {"0123456789abcdef" + std::string(48, '0'), "client", "10.89.0.3", ""}};
  const std::string lines = network_hosts_lines(two);
  const std::string once = replace_network_hosts(base, lines);
  EXPECT_EQ(once.substr(0, base.size()), base);
  EXPECT_NE(once.find("10.89.0.2\tweb aaaaaaaaaaaa\n"), std::string::npos);
  EXPECT_NE(once.find("10.89.0.3\tclient 0123456789ab\n"), std::string::npos);
  // Again with one fewer: the old section goes, the base stays.
  const std::string twice = replace_network_hosts(once, network_hosts_lines({two[1]}));
  EXPECT_EQ(twice.find("web"), std::string::npos);
  EXPECT_NE(twice.find("client"), std::string::npos);
  EXPECT_EQ(replace_network_hosts(twice, ""), base);
}

TEST(NetworkOps, ListAndInspectAsPodman) {
  NetworkConfig n;
  n.name = "web";
  n.id = std::string(12, 'f') + std::string(52, '0');
  n.network_interface = "roost1";
  n.created = "2026-01-01T00:00:00.000000000Z";
  n.subnets = {{"10.89.0.0/24", "10.89.0.1"}};
  EXPECT_EQ(engine::format_network_list({n}, "", false),
            "NETWORK ID    NAME        DRIVER\nffffffffffff  web         bridge\n");
  EXPECT_EQ(engine::format_network_list({n}, "", true), "web\n");
  EXPECT_EQ(engine::format_network_list({n}, "{{.Name}} {{.NetworkInterface}}", false), "web roost1\n");
  const auto j = nlohmann::json::parse(engine::format_network_inspect({n}));
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j[0]["subnets"][0]["gateway"], "10.89.0.1");
  EXPECT_EQ(j[0]["ipam_options"]["driver"], "host-local");
  EXPECT_FALSE(j[0].contains("labels"));
}

}  // namespace
}  // namespace roost::ctr
