// Named volumes on a temporary root: create (named and anonymous), podman's inspect fields, list,
// ensure, removal refused while in use and complete otherwise.
#include "ctr/volume_store.hpp"

#include <fcntl.h>

#include <filesystem>
#include <gtest/gtest.h>

#include "util/error.hpp"
#include "util/file.hpp"

namespace fs = std::filesystem;
using namespace roost::ctr;

namespace {

class CtrVolumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/roost-ctr-volume-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { roost::remove_tree(root_.string()); }
  fs::path root_;
};

TEST_F(CtrVolumeTest, CreateNamedAndInspect) {
  VolumeStore vs(root_);
  VolumeInfo v = vs.create("data", {{"app", "web"}});
  EXPECT_EQ(v.mountpoint, (root_ / "volumes/data/_data").string());
  EXPECT_TRUE(fs::is_directory(v.mountpoint));
  const auto j = volume_inspect_json(vs.inspect("data"));
  EXPECT_EQ(j["Name"], "data");
  EXPECT_EQ(j["Driver"], "local");
  EXPECT_EQ(j["Mountpoint"], v.mountpoint);
  EXPECT_EQ(j["CreatedAt"], v.created_at);
  EXPECT_EQ(j["Labels"]["app"], "web");
  EXPECT_EQ(j["Scope"], "local");
  EXPECT_TRUE(j["Options"].empty());
  EXPECT_FALSE(j.contains("Anonymous"));
  try {
    vs.create("data");
    FAIL();
  } catch (const roost::Error& e) {
    EXPECT_STREQ(e.what(), "volume with name data already exists: volume already exists");
  }
  EXPECT_THROW(vs.create("../x"), roost::Error);
  EXPECT_THROW(vs.create(".hidden"), roost::Error);
}

TEST_F(CtrVolumeTest, AnonymousGetsA64HexName) {
  VolumeStore vs(root_);
  VolumeInfo v = vs.create("", {}, true);
  EXPECT_EQ(v.name.size(), 64u);
  EXPECT_EQ(v.name.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_TRUE(vs.inspect(v.name).anonymous);
  EXPECT_EQ(volume_inspect_json(vs.inspect(v.name))["Anonymous"], true);
}

TEST_F(CtrVolumeTest, ListEnsureAndMissing) {
  VolumeStore vs(root_);
  vs.create("b");
  vs.create("a");
  EXPECT_EQ(vs.ensure("a").name, "a");
  EXPECT_EQ(vs.ensure("c").name, "c");
  std::vector<std::string> names;
  for (const auto& v : vs.list()) names.push_back(v.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(vs.find("nope"), std::nullopt);
  try {
    vs.inspect("nope");
    FAIL();
  } catch (const roost::Error& e) {
    EXPECT_STREQ(e.what(), "no volume with name \"nope\" found: no such volume");
  }
}

TEST_F(CtrVolumeTest, RemoveRefusedWhileUsedThenComplete) {
  VolumeStore vs(root_);
  VolumeInfo v = vs.create("db");
  roost::write_file(v.mountpoint + "/file", "x", O_CREAT | O_TRUNC);
  fs::create_directories(fs::path(v.mountpoint) / "sub/deeper");
  const fs::path outside = root_ / "outside";
  fs::create_directories(outside);
  roost::write_file((outside / "keep").string(), "keep", O_CREAT | O_TRUNC);
  fs::create_symlink(outside, fs::path(v.mountpoint) / "link");
  try {
    vs.remove("db", {"abc123"});
    FAIL();
  } catch (const roost::Error& e) {
    EXPECT_STREQ(e.what(), "volume db is being used by the following container(s): abc123: volume is being used");
  }
  EXPECT_TRUE(vs.find("db").has_value());
  vs.remove("db", {});
  EXPECT_FALSE(vs.find("db").has_value());
  EXPECT_EQ(roost::read_file((outside / "keep").string()), "keep");
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(root_ / "volumes")) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"volumes.lock"});
  EXPECT_THROW(vs.remove("db", {}), roost::Error);
}

}  // namespace
