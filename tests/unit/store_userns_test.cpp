// store/userns_session, the overlay probe and the rootfs mounts for real: the helper program
// build/tests/helpers/roost-userns-probe is run as the test users (roost-test has the subuid
// range 200000:65536, roost-nosub none) through runuser, which needs root; as anyone else these
// tests are skipped, saying so.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

#include "util/file.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool real_root() {
  if (::geteuid() != 0) return false;
  unsigned long inside = 1, outside = 1, count = 0;
  std::sscanf(roost::read_file("/proc/self/uid_map").c_str(), "%lu %lu %lu", &inside, &outside, &count);
  return inside == 0 && outside == 0 && count == 4294967295UL;
}

fs::path probe_program() { return fs::canonical("/proc/self/exe").parent_path().parent_path() / "helpers/roost-userns-probe"; }

class UsernsSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!real_root()) GTEST_SKIP() << "needs real root (to run the probe as roost-test and roost-nosub with runuser)";
    if (!fs::exists(probe_program())) FAIL() << probe_program() << " is missing: build the roost-userns-probe target";
    char tmpl[] = "/tmp/roost-userns-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) roost::remove_tree(dir_.string());
  }

  // The helper's JSON, run as `user` (empty: as root) with `args`, in a directory it owns.
  json run_as(const std::string& user, const std::string& args) {
    struct passwd* pw = user.empty() ? nullptr : ::getpwnam(user.c_str());
    if (!user.empty() && !pw) ADD_FAILURE() << "no user " << user;
    if (pw) {
      EXPECT_EQ(::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid), 0);
    }
    const std::string cmd = (user.empty() ? "" : "runuser -u " + user + " -- ") + probe_program().string() + " " + args;
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    size_t n;
    while (p && (n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    if (p) ::pclose(p);
    json j = json::parse(out, nullptr, false);
    if (j.is_discarded()) ADD_FAILURE() << cmd << " printed: " << out;
    return j;
  }

  std::string d(const std::string& sub = "") const { return (dir_ / sub).string(); }
  fs::path dir_;
};

TEST_F(UsernsSessionTest, SubuidRangeIsMappedAndOwnersKept) {
  json j = run_as("roost-test", "--chown " + d("owned") + " --probe " + d() + " --nested");
  ASSERT_FALSE(j.contains("error")) << j.dump();
  EXPECT_TRUE(j["entered"]);
  EXPECT_FALSE(j["squash_ids"]);
  EXPECT_FALSE(j["real_root"]);
  EXPECT_EQ(j["euid"], 0);
  EXPECT_EQ(j["map_summary"], "0:1001:1,1:200000:65536");
  EXPECT_EQ(j["gid_map_summary"], "0:1001:1,1:200000:65536");
  EXPECT_EQ(j["uid_map"], "         0       1001          1\n         1     200000      65536\n");
  // uid 33 inside is the range's 33rd id outside.
  EXPECT_EQ(j["chown"], "ok");
  struct stat st;
  ASSERT_EQ(::stat(d("owned").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 200032u);
  EXPECT_EQ(st.st_gid, 200032u);
  // The kernel's overlay works in a user namespace on this kernel, and the result is cached.
  EXPECT_EQ(j["probe"]["driver"], "overlay") << j["probe"]["detail"];
  EXPECT_EQ(j["probe_cached"], "overlay");
  json cache = json::parse(roost::read_file(d("run/overlay-probe")));
  EXPECT_EQ(cache["driver"], "overlay");
  EXPECT_FALSE(cache["kernel"].get<std::string>().empty());
  // The probe's scratch directory is gone.
  for (const auto& e : fs::directory_iterator(d("data/storage"))) ADD_FAILURE() << "left: " << e.path();
  // A roost started inside stays in the same namespace.
  EXPECT_FALSE(j["nested"]["entered"]) << j["nested"].dump();
  EXPECT_EQ(j["nested"]["map_summary"], "0:1001:1,1:200000:65536");
}

TEST_F(UsernsSessionTest, NoRangeIsOneIdSquashed) {
  json j = run_as("roost-nosub", "--chown " + d("owned") + " --probe " + d());
  ASSERT_FALSE(j.contains("error")) << j.dump();
  EXPECT_TRUE(j["entered"]);
  EXPECT_TRUE(j["squash_ids"]);
  EXPECT_EQ(j["map_summary"], "0:1002:1");
  EXPECT_EQ(j["uid_map"], "         0       1002          1\n");
  EXPECT_EQ(j["chown"], "EINVAL");  // 33 is not mapped
  struct stat st;
  ASSERT_EQ(::stat(d("owned").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1002u);
  EXPECT_EQ(j["probe"]["driver"], "overlay") << j["probe"]["detail"];
}

TEST_F(UsernsSessionTest, RealRootEntersNothing) {
  json j = run_as("", "");
  EXPECT_TRUE(j["real_root"]);
  EXPECT_FALSE(j["entered"]);
  EXPECT_FALSE(j["squash_ids"]);
}

// Both drivers pass the probe's whiteout and opaque-dir test, and stack 60 layers read-only (the
// store's path lengths: more than a page of mount options), the older kernels' mount(2) path too.
TEST_F(UsernsSessionTest, DriversStackManyLayers) {
  json j = run_as("roost-test", "--check " + d() + " overlay --check " + d() + " fuse-overlayfs --mount " + d("k") +
                                    " overlay --mount " + d("c") + " overlay-classic --mount " + d("f") + " fuse-overlayfs");
  ASSERT_FALSE(j.contains("error")) << j.dump();
  EXPECT_EQ(j["check_overlay"], "ok");
  EXPECT_EQ(j["check_fuse-overlayfs"], "ok");
  EXPECT_EQ(j["mount_overlay"], "ok");
  EXPECT_EQ(j["mount_overlay-classic"], "ok");
  EXPECT_EQ(j["mount_fuse-overlayfs"], "ok");
}

}  // namespace
