#include <gtest/gtest.h>

#include "idmap/subid.hpp"

using roost::idmap::parse_subid;
using roost::idmap::SubIdRange;

TEST(SubId, FindsRangesByNameOrNumericId) {
  std::string text = "alice:100000:65536\nbob:200000:1000\n1001:300000:10\n";
  EXPECT_EQ(parse_subid(text, "alice", 1000), (std::vector<SubIdRange>{{100000, 65536}}));
  EXPECT_EQ(parse_subid(text, "bob", 1001), (std::vector<SubIdRange>{{200000, 1000}, {300000, 10}}));
  EXPECT_TRUE(parse_subid(text, "carol", 1002).empty());
}

TEST(SubId, SkipsCommentsBlankAndMalformedLines) {
  std::string text = "# comment\n\nalice:x:10\nalice:5\nalice:1:0\nalice:10:20:30\nalice:7:3\r\n";
  EXPECT_EQ(parse_subid(text, "alice", 1), (std::vector<SubIdRange>{{7, 3}}));
}

TEST(SubId, RejectsRangesPastTheLargestId) {
  EXPECT_TRUE(parse_subid("a:4294967290:100\n", "a", 1).empty());
}

TEST(SubId, MissingFileMeansNoRanges) {
  EXPECT_TRUE(roost::idmap::read_subid_file("/nonexistent/subuid", "a", 1).empty());
}
