// The rootless network namespace's way out (monitor/rootless_outbound): its record, and when a
// container needs it (a lease on a network that is not internal).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "ctr/network_store.hpp"
#include "monitor/rootless_outbound.hpp"

namespace roost::monitor {
namespace {

TEST(OutboundRecord, RoundTrips) {
  const OutboundRecord r{4242, 123456789, 17, 99};
  EXPECT_EQ(format_outbound_record(r), "4242 123456789 17 99\n");
  EXPECT_EQ(parse_outbound_record(format_outbound_record(r)), r);
  EXPECT_EQ(parse_outbound_record("4242 123456789 17 99"), r);
}

TEST(OutboundRecord, RefusesMalformed) {
  for (const char* text : {"", "\n", "1 2 3", "1 2 3 4 5", "x 2 3 4", "1  2 3 4", "-1 2 3 4", "0 2 3 4", "1 2 0 4",
                           "99999999999 2 3 4", "1 2 3 4\n\n", "1 2 3 99999999999999999999"})
    EXPECT_FALSE(parse_outbound_record(text).has_value()) << text;
}

TEST(OutboundInUse, OnlyLeasesOnNetworksWithAWayOut) {
  char tmpl[] = "/tmp/roost-outbound-XXXXXX";
  const std::filesystem::path dir = ::mkdtemp(tmpl);
  {
    ctr::NetworkStore store(dir / "data", dir / "run");
    const ctr::NetworkConfig open = store.create({.name = "open"});
    const ctr::NetworkConfig closed = store.create({.name = "closed", .internal = true});
    EXPECT_FALSE(outbound_in_use(store));
    store.lease(closed, std::string(64, 'a'), "a", "/x/a/hosts");
    EXPECT_FALSE(outbound_in_use(store));  // an internal network needs no way out
    store.lease(open, std::string(64, 'b'), "b", "/x/b/hosts");
    EXPECT_TRUE(outbound_in_use(store));
    store.release("open", std::string(64, 'b'));
    EXPECT_FALSE(outbound_in_use(store));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace roost::monitor
