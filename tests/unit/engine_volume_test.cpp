// roost volume's pure parts: labels, --opt's refusals, filters, and the outputs.
#include <gtest/gtest.h>

#include "engine/volume_ops.hpp"
#include "util/error.hpp"

using roost::engine::VolumeFilter;

static roost::ctr::VolumeInfo volume(const std::string& name, std::map<std::string, std::string> labels = {}) {
  roost::ctr::VolumeInfo v;
  v.name = name;
  v.mountpoint = "/data/volumes/" + name + "/_data";
  v.created_at = "2026-12-06T23:00:00.000000000Z";
  v.labels = std::move(labels);
  return v;
}

TEST(VolumeLabels, KeyAloneHasAnEmptyValueAndTheLastWins) {
  const auto m = roost::engine::parse_volume_labels({"a=b", "c", "a=d"});
  EXPECT_EQ(m.at("a"), "d");
  EXPECT_EQ(m.at("c"), "");
  EXPECT_THROW(roost::engine::parse_volume_labels({"=x"}), roost::Error);
}

TEST(VolumeOpts, UnknownOptionInPodmansWords) {
  try {
    roost::engine::check_volume_opts({"foo=bar"});
    FAIL();
  } catch (const roost::Error& e) {
    EXPECT_STREQ(e.what(), "invalid mount option foo for driver 'local': invalid argument");
  }
}

TEST(VolumeOpts, KnownButUnhonouredOptionIsRefusedToo) {
  EXPECT_THROW(roost::engine::check_volume_opts({"o=nodev"}), roost::Error);
  EXPECT_NO_THROW(roost::engine::check_volume_opts({}));
}

TEST(VolumeFilter, NameIsARegexMatchedAnywhere) {
  const VolumeFilter f({"name=^da"});
  EXPECT_TRUE(f.matches(volume("data")));
  EXPECT_FALSE(f.matches(volume("mydata")));
  EXPECT_TRUE(VolumeFilter({"name=at"}).matches(volume("data")));
}

TEST(VolumeFilter, LabelKeyOrKeyValue) {
  const auto v = volume("v", {{"tier", "db"}});
  EXPECT_TRUE(VolumeFilter({"label=tier"}).matches(v));
  EXPECT_TRUE(VolumeFilter({"label=tier=db"}).matches(v));
  EXPECT_FALSE(VolumeFilter({"label=tier=web"}).matches(v));
  EXPECT_FALSE(VolumeFilter({"label=other"}).matches(v));
}

TEST(VolumeFilter, SameKeyOrsDifferentKeysAnd) {
  const auto v = volume("data", {{"tier", "db"}});
  EXPECT_TRUE(VolumeFilter({"name=nomatch", "name=dat"}).matches(v));
  EXPECT_FALSE(VolumeFilter({"name=dat", "label=tier=web"}).matches(v));
}

TEST(VolumeFilter, UnknownKeyIsRefused) {
  EXPECT_THROW(VolumeFilter({"dangling=true"}), roost::Error);
  EXPECT_THROW(VolumeFilter({"name"}), roost::Error);
}

TEST(VolumeOutput, PodmansTable) {
  EXPECT_EQ(roost::engine::volume_list_output({volume("v1"), volume("v2")}, false, ""),
            "DRIVER      VOLUME NAME\nlocal       v1\nlocal       v2\n");
  EXPECT_EQ(roost::engine::volume_list_output({volume("v1")}, true, ""), "v1\n");
}

TEST(VolumeOutput, TemplatePerVolume) {
  EXPECT_EQ(roost::engine::volume_list_output({volume("v1")}, false, "{{.Name}} {{.Mountpoint}}"),
            "v1 /data/volumes/v1/_data\n");
}

TEST(VolumeOutput, InspectIsAnArrayWithPodmansFields) {
  const auto j = nlohmann::json::parse(roost::engine::volume_inspect_output({volume("v1", {{"a", "b"}})}, ""));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["Name"], "v1");
  EXPECT_EQ(j[0]["Driver"], "local");
  EXPECT_EQ(j[0]["Labels"]["a"], "b");
  EXPECT_EQ(j[0]["Scope"], "local");
}
