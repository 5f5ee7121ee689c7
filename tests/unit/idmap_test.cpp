#include <gtest/gtest.h>

#include "idmap/idmap.hpp"
#include "util/error.hpp"

using namespace roost::idmap;
using roost::Error;

TEST(IdMap, RootlessMapsCallerToRootThenRanges) {
  auto maps = rootless_mappings(1000, {{100000, 65536}, {300000, 10}});
  ASSERT_EQ(maps.size(), 3u);
  EXPECT_EQ(maps[0], (roost::oci::IdMapping{0, 1000, 1}));
  EXPECT_EQ(maps[1], (roost::oci::IdMapping{1, 100000, 65536}));
  EXPECT_EQ(maps[2], (roost::oci::IdMapping{65537, 300000, 10}));
}

TEST(IdMap, RootlessWithoutRangesIsOneId) {
  auto maps = rootless_mappings(1000, {});
  ASSERT_EQ(maps.size(), 1u);
  EXPECT_TRUE(is_self_only(maps, 1000));
  EXPECT_FALSE(is_self_only(maps, 1001));
}

TEST(IdMap, ValidateRejectsOverlaps) {
  EXPECT_NO_THROW(validate({{0, 1000, 1}, {1, 100000, 10}}, "uid"));
  EXPECT_THROW(validate({{0, 1000, 10}, {5, 200000, 10}}, "uid"), Error);   // container side
  EXPECT_THROW(validate({{0, 1000, 10}, {20, 1005, 10}}, "uid"), Error);    // host side
  EXPECT_THROW(validate({{4294967295u, 1, 2}}, "uid"), Error);              // wraps
}

TEST(IdMap, ReachableOnlyThroughOwnIdOrRanges) {
  std::vector<SubIdRange> ranges{{100000, 65536}};
  EXPECT_NO_THROW(check_reachable({{0, 1000, 1}, {1, 100000, 65536}}, 1000, ranges, "uid"));
  EXPECT_THROW(check_reachable({{0, 0, 1}}, 1000, ranges, "uid"), Error);
  EXPECT_THROW(check_reachable({{1, 100000, 65537}}, 1000, ranges, "uid"), Error);  // one past the range
  try {
    check_reachable({{0, 5, 1}}, 1000, ranges, "uid");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("host uid 5"), std::string::npos) << e.what();
  }
}

TEST(IdMap, TranslatesContainerIdsToHostIds) {
  Mappings maps{{0, 1000, 1}, {1, 100000, 65536}};
  uint32_t host = 0;
  ASSERT_TRUE(to_host(maps, 0, host));
  EXPECT_EQ(host, 1000u);
  ASSERT_TRUE(to_host(maps, 1000, host));
  EXPECT_EQ(host, 100999u);
  EXPECT_FALSE(to_host(maps, 65537, host));
}

TEST(IdMap, FormatsProcMapAndHelperArguments) {
  Mappings maps{{0, 1000, 1}, {1, 100000, 65536}};
  EXPECT_EQ(format_proc_map(maps), "0 1000 1\n1 100000 65536\n");
  EXPECT_EQ(helper_argv("newuidmap", 42, maps),
            (std::vector<std::string>{"newuidmap", "42", "0", "1000", "1", "1", "100000", "65536"}));
}

TEST(IdMap, ParsesProcMapAsTheKernelAlignsIt) {
  // /proc/PID/uid_map pads its columns with spaces; 4294967295 is the whole range of the initial namespace.
  EXPECT_EQ(parse_proc_map("         0       1000          1\n         1     100000      65536\n"),
            (Mappings{{0, 1000, 1}, {1, 100000, 65536}}));
  EXPECT_EQ(parse_proc_map("0 0 4294967295\n"), (Mappings{{0, 0, 4294967295u}}));
  EXPECT_EQ(parse_proc_map(format_proc_map({{5, 6, 7}})), (Mappings{{5, 6, 7}}));
  EXPECT_TRUE(parse_proc_map("").empty());
  EXPECT_EQ(parse_proc_map("0 1000 1\n1 2\n"), (Mappings{{0, 1000, 1}}));  // a cut line ends it
}
