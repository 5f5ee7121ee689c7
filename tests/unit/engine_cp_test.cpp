// roost cp's pure parts: which side is a container, and where a copy lands (Docker's and
// podman's rules, as `podman cp` behaves on this host).
#include <gtest/gtest.h>

#include "engine/container_cp.hpp"
#include "util/error.hpp"

using roost::engine::cp_basename;
using roost::engine::cp_dirname;
using roost::engine::CpPlan;
using roost::engine::FileKind;
using roost::engine::parse_cp_location;
using roost::engine::plan_copy;

TEST(CpLocation, ContainerPathSplitsAtTheFirstColon) {
  const auto l = parse_cp_location("web:/etc/a:b");
  EXPECT_EQ(l.container, "web");
  EXPECT_EQ(l.path, "/etc/a:b");
  EXPECT_FALSE(l.stream);
}

TEST(CpLocation, PathsStartingWithSlashOrDotAreLocalWhateverColonsTheyHold) {
  EXPECT_EQ(parse_cp_location("/tmp/a:b").container, "");
  EXPECT_EQ(parse_cp_location("./a:b").container, "");
  EXPECT_EQ(parse_cp_location("./a:b").path, "./a:b");
  EXPECT_EQ(parse_cp_location("plain").container, "");
}

TEST(CpLocation, DashIsTheStream) {
  EXPECT_TRUE(parse_cp_location("-").stream);
  EXPECT_FALSE(parse_cp_location("-x").stream);
}

TEST(CpLocation, EmptyContainerOrPathIsRefused) {
  EXPECT_THROW(parse_cp_location("web:"), roost::Error);
}

TEST(CpPaths, BasenameAndDirname) {
  EXPECT_EQ(cp_basename("/a/b/"), "b");
  EXPECT_EQ(cp_basename("/"), "/");
  EXPECT_EQ(cp_basename("b"), "b");
  EXPECT_EQ(cp_dirname("/a/b"), "/a");
  EXPECT_EQ(cp_dirname("/a"), "/");
  EXPECT_EQ(cp_dirname("b"), ".");
  EXPECT_EQ(cp_dirname("/a/b/"), "/a");
}

static void expect_plan(const CpPlan& p, const std::string& dir, const std::string& name) {
  EXPECT_EQ(p.dest_dir, dir);
  EXPECT_EQ(p.dest_name, name);
}

TEST(CpPlan, FileOntoMissingBecomesThatFile) {
  expect_plan(plan_copy("/etc/hosts", FileKind::Other, "/tmp/h", FileKind::Missing), "/tmp", "h");
}

TEST(CpPlan, FileOntoFileOverwritesIt) {
  expect_plan(plan_copy("/etc/hosts", FileKind::Other, "/tmp/h", FileKind::Other), "/tmp", "h");
}

TEST(CpPlan, FileIntoDirectoryKeepsItsName) {
  expect_plan(plan_copy("/etc/hosts", FileKind::Other, "/tmp", FileKind::Directory), "/tmp", "hosts");
  expect_plan(plan_copy("/etc/hosts", FileKind::Other, "/tmp/", FileKind::Directory), "/tmp/", "hosts");
}

TEST(CpPlan, FileOntoMissingDirectoryWithTrailingSlashIsAnError) {
  EXPECT_THROW(plan_copy("/etc/hosts", FileKind::Other, "/tmp/nodir/", FileKind::Missing), roost::Error);
}

TEST(CpPlan, TrailingSlashOnAFileSourceIsAnError) {
  EXPECT_THROW(plan_copy("/etc/hosts/", FileKind::Other, "/tmp", FileKind::Directory), roost::Error);
  EXPECT_THROW(plan_copy("/etc/hosts/.", FileKind::Other, "/tmp", FileKind::Directory), roost::Error);
}

TEST(CpPlan, DirectoryOntoMissingIsCreatedWithTheContent) {
  expect_plan(plan_copy("/etc", FileKind::Directory, "/tmp/e", FileKind::Missing), "/tmp", "e");
  expect_plan(plan_copy("/etc/.", FileKind::Directory, "/tmp/e", FileKind::Missing), "/tmp", "e");
}

TEST(CpPlan, DirectoryIntoDirectoryGoesBelowItByName) {
  expect_plan(plan_copy("/etc", FileKind::Directory, "/tmp", FileKind::Directory), "/tmp", "etc");
  expect_plan(plan_copy("/etc/", FileKind::Directory, "/tmp", FileKind::Directory), "/tmp", "etc");
}

TEST(CpPlan, DirectoryWithSlashDotCopiesItsContent) {
  expect_plan(plan_copy("/etc/.", FileKind::Directory, "/tmp", FileKind::Directory), "/tmp", "");
}

TEST(CpPlan, RootCopiesItsContent) {
  expect_plan(plan_copy("/", FileKind::Directory, "/tmp/x", FileKind::Directory), "/tmp/x", "");
}

TEST(CpPlan, DirectoryOntoFileIsAnError) {
  EXPECT_THROW(plan_copy("/etc", FileKind::Directory, "/tmp/f", FileKind::Other), roost::Error);
}

TEST(CpPlan, MissingSourceIsAnError) {
  EXPECT_THROW(plan_copy("/nope", FileKind::Missing, "/tmp", FileKind::Directory), roost::Error);
}
