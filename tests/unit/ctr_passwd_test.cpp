// -u user[:group] against an image's /etc/passwd and /etc/group (runc's GetExecUser rules, which
// podman uses): names, numbers, explicit groups, supplementary groups, podman's errors.
#include "ctr/passwd.hpp"

#include <gtest/gtest.h>

#include "util/error.hpp"

using namespace roost::ctr;

namespace {

const std::string kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment\n"
    "\n"
    "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
    "broken line\n"
    "app:x:1000:1000:App:/home/app:/bin/sh\n"
    "nohome:x:1001:100::\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
const std::string kGroup =
    "root:x:0:\n"
    "wheel:x:10:app,other\n"
    "users:x:100:\n"
    "app:x:1000:\n"
    "audio:x:29:other,app\n"
    "nogroup:x:65534:\n";

std::string error_of(const std::string& spec) {
  try {
    resolve_user(spec, kPasswd, kGroup);
  } catch (const roost::Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(CtrPasswd, RootByDefault) {
  ResolvedUser u = resolve_user("", kPasswd, kGroup);
  EXPECT_EQ(u.uid, 0u);
  EXPECT_EQ(u.gid, 0u);
  EXPECT_EQ(u.home, "/root");
  EXPECT_TRUE(u.additional_gids.empty());
  // An image without the files: root with home "/".
  ResolvedUser bare = resolve_user("", "", "");
  EXPECT_EQ(bare.uid, 0u);
  EXPECT_EQ(bare.home, "/");
}

TEST(CtrPasswd, NameGivesIdsHomeAndSupplementaryGroups) {
  ResolvedUser u = resolve_user("app", kPasswd, kGroup);
  EXPECT_EQ(u.uid, 1000u);
  EXPECT_EQ(u.gid, 1000u);
  EXPECT_EQ(u.home, "/home/app");
  EXPECT_EQ(u.additional_gids, (std::vector<gid_t>{10, 29}));
}

TEST(CtrPasswd, NumberFindsTheEntryOrStandsAlone) {
  ResolvedUser u = resolve_user("1000", kPasswd, kGroup);
  EXPECT_EQ(u.gid, 1000u);
  EXPECT_EQ(u.home, "/home/app");
  EXPECT_EQ(u.additional_gids, (std::vector<gid_t>{10, 29}));
  ResolvedUser stray = resolve_user("4242", kPasswd, kGroup);
  EXPECT_EQ(stray.uid, 4242u);
  EXPECT_EQ(stray.gid, 0u);
  EXPECT_EQ(stray.home, "/");
  EXPECT_EQ(resolve_user("1001", kPasswd, kGroup).home, "/");  // empty home field
}

TEST(CtrPasswd, ExplicitGroupReplacesTheSupplementaryOnes) {
  ResolvedUser u = resolve_user("app:users", kPasswd, kGroup);
  EXPECT_EQ(u.uid, 1000u);
  EXPECT_EQ(u.gid, 100u);
  EXPECT_TRUE(u.additional_gids.empty());
  ResolvedUser n = resolve_user("4242:4343", "", "");
  EXPECT_EQ(n.uid, 4242u);
  EXPECT_EQ(n.gid, 4343u);
  EXPECT_EQ(resolve_user("app:", kPasswd, kGroup).additional_gids, (std::vector<gid_t>{10, 29}));
}

TEST(CtrPasswd, PodmansErrors) {
  EXPECT_EQ(error_of("ghost"), "unable to find user ghost: no matching entries in passwd file");
  EXPECT_EQ(error_of("app:ghosts"), "unable to find group ghosts: no matching entries in group file");
  EXPECT_EQ(error_of("broken line"), "unable to find user broken line: no matching entries in passwd file");
  // Beyond runc's id range: a name, so looked up, and not found.
  EXPECT_EQ(error_of("4294967296"), "unable to find user 4294967296: no matching entries in passwd file");
}

}  // namespace
