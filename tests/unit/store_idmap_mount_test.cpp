// store/rootfs_mount with an id mapping (issue 13): fuse-overlayfs's options, the driver chosen,
// and, as real root, the kernel path for real: idmapped lowers under a kernel overlay, in a child
// with a private mount namespace (nothing of the test process changes). The rootless path
// (fuse-overlayfs inside the store's namespace) is run for real by tests/containers/userns.bats.
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <gtest/gtest.h>
#include <string>

#include "idmap/idmap_writer.hpp"
#include "store/rootfs_mount.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace fs = std::filesystem;
using roost::store::LayerIdMap;
using roost::store::OverlayDriver;

namespace {

LayerIdMap keep_id_like() {
  // keep-id for uid 1001 with 1 + 65536 ids: container 0..1000 -> 1..1001, 1001 -> 0, the rest after.
  LayerIdMap ids;
  ids.uid = {{0, 1, 1001}, {1001, 0, 1}, {1002, 1002, 64535}};
  ids.gid = {{0, 1, 1001}, {1001, 0, 1}};
  return ids;
}

bool real_root() {
  if (::geteuid() != 0) return false;
  unsigned long inside = 1, outside = 1, count = 0;
  std::sscanf(roost::read_file("/proc/self/uid_map").c_str(), "%lu %lu %lu", &inside, &outside, &count);
  return inside == 0 && outside == 0 && count == 4294967295UL;
}

}  // namespace

TEST(StoreIdmapOptions, FuseOverlayfsGetsTheMapsAsColonTriplesAfterTheDirs) {
  const std::string opts = roost::store::fuse_overlay_options({"/s/l2", "/s/l,1"}, roost::store::UpperDirs{"/c/up", "/c/work"},
                                                              keep_id_like());
  EXPECT_EQ(opts,
            "lowerdir=/s/l2:/s/l\\,1,upperdir=/c/up,workdir=/c/work,"
            "uidmapping=0:1:1001:1001:0:1:1002:1002:64535,gidmapping=0:1:1001:1001:0:1");
}

TEST(StoreIdmapOptions, NoMappingNoMappingOptions) {
  EXPECT_EQ(roost::store::fuse_overlay_options({"/s/l1"}, std::nullopt, {}), "lowerdir=/s/l1");
}

TEST(StoreIdmapOptions, DriverKeptWithoutAMapping) {
  EXPECT_EQ(roost::store::driver_for_mapping(OverlayDriver::KernelOverlay, {}), OverlayDriver::KernelOverlay);
  EXPECT_EQ(roost::store::driver_for_mapping(OverlayDriver::FuseOverlayfs, {}), OverlayDriver::FuseOverlayfs);
}

TEST(StoreIdmapOptions, RootlessMappingMovesTheKernelOverlayToFuseOverlayfs) {
  // The kernel refuses every idmapped mount of the layers inside the store's namespace.
  const OverlayDriver expected = roost::running_rootless() ? OverlayDriver::FuseOverlayfs : OverlayDriver::KernelOverlay;
  EXPECT_EQ(roost::store::driver_for_mapping(OverlayDriver::KernelOverlay, keep_id_like()), expected);
  EXPECT_EQ(roost::store::driver_for_mapping(OverlayDriver::FuseOverlayfs, keep_id_like()), OverlayDriver::FuseOverlayfs);
}

TEST(StoreIdmapOptions, HalfAMappingIsRefused) {
  LayerIdMap ids;
  ids.uid = {{0, 1, 10}};
  EXPECT_THROW(roost::store::mount_layers({"/nonexistent"}, "/nonexistent", OverlayDriver::KernelOverlay, std::nullopt, ids),
               roost::Error);
}

class StoreIdmapKernelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!real_root()) GTEST_SKIP() << "idmapped lowers need real root (rootless: fuse-overlayfs, userns.bats)";
    char tmpl[] = "/tmp/roost-idmap-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    for (const char* d : {"l1", "l2", "upper", "work", "merged", "ro"}) fs::create_directories(dir_ / d);
    roost::write_file_atomic((dir_ / "l2/root-file").string(), "r\n");
    roost::write_file_atomic((dir_ / "l1/user-file").string(), "u\n");
    EXPECT_EQ(::chown((dir_ / "l1/user-file").c_str(), 7, 8), 0);
  }
  void TearDown() override {
    if (!dir_.empty()) roost::remove_tree(dir_.string());
  }

  // Runs `body` in a child with a private mount namespace; its failures come back as one line.
  template <typename F>
  std::string in_child(F body) {
    int p[2];
    EXPECT_EQ(::pipe(p), 0);
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(p[0]);
      std::string msg;
      try {
        if (::unshare(CLONE_NEWNS) < 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0)
          roost::throw_errno("private mount namespace");
        msg = body();
      } catch (const std::exception& e) {
        msg = e.what();
      }
      (void)!::write(p[1], msg.data(), msg.size());
      ::_exit(0);
    }
    ::close(p[1]);
    std::string out;
    char buf[512];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    ::close(p[0]);
    ::waitpid(pid, nullptr, 0);
    return out;
  }

  static std::string owner(const fs::path& p) {
    struct stat st{};
    if (::lstat(p.c_str(), &st) < 0) return "missing";
    return std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid);
  }

  fs::path dir_;
};

TEST_F(StoreIdmapKernelTest, LowersShowMappedOwnersAndWritesLandInTheUpperAsTheContainerWroteThem) {
  LayerIdMap ids;
  ids.uid = ids.gid = {{0, 100000, 65536}};
  const std::string out = in_child([&] {
    roost::store::mount_layers({dir_ / "l1", dir_ / "l2"}, dir_ / "merged", OverlayDriver::KernelOverlay,
                               roost::store::UpperDirs{dir_ / "upper", dir_ / "work"}, ids);
    std::string r = owner(dir_ / "merged/root-file") + " " + owner(dir_ / "merged/user-file");
    roost::write_file_atomic((dir_ / "merged/new").string(), "n\n");
    if (::chown((dir_ / "merged/new").c_str(), 100005, 100005) < 0) roost::throw_errno("chown new");
    r += " " + owner(dir_ / "upper/new");
    roost::store::unmount_layers(dir_ / "merged");
    return r;
  });
  EXPECT_EQ(out, "100000:100000 100007:100008 100005:100005");
  EXPECT_EQ(owner(dir_ / "l2/root-file"), "0:0");  // nothing was chowned
}

TEST_F(StoreIdmapKernelTest, OneLowerIsAnIdmappedReadOnlyBind) {
  LayerIdMap ids;
  ids.uid = ids.gid = {{0, 100000, 65536}};
  const std::string out = in_child([&] {
    roost::store::mount_layers({dir_ / "l2"}, dir_ / "ro", OverlayDriver::KernelOverlay, std::nullopt, ids);
    std::string r = owner(dir_ / "ro/root-file");
    r += ::access((dir_ / "ro/root-file").c_str(), W_OK) == 0 ? " writable" : " " + roost::errno_name(errno);
    roost::store::unmount_layers(dir_ / "ro");
    return r;
  });
  EXPECT_EQ(out, "100000:100000 EROFS");
}
