#include <gtest/gtest.h>
#include <sys/mount.h>

#include "sys/mount_attr.hpp"
#include "rootfs/mount_options.hpp"
#include "util/error.hpp"

using roost::parse_mount_options;
using roost::split_fs_options;

TEST(MountOptions, TranslatesFlagsAndKeepsDataForTheFileSystem) {
  auto o = parse_mount_options({"nosuid", "noexec", "mode=755", "size=65536k", "strictatime"});
  EXPECT_EQ(o.flags, MS_NOSUID | MS_NOEXEC | MS_STRICTATIME);
  EXPECT_EQ(o.data, "mode=755,size=65536k");
  EXPECT_FALSE(o.bind());
}

TEST(MountOptions, LaterOptionsWin) {
  auto o = parse_mount_options({"ro", "rw"});
  EXPECT_EQ(o.flags & MS_RDONLY, 0u);
  EXPECT_EQ(o.clear_flags & MS_RDONLY, static_cast<unsigned long>(MS_RDONLY));
}

TEST(MountOptions, BindAndPropagation) {
  auto o = parse_mount_options({"rbind", "ro", "rslave"});
  EXPECT_TRUE(o.bind());
  EXPECT_TRUE(o.recursive_bind());
  EXPECT_EQ(o.propagation, static_cast<unsigned long>(MS_SLAVE | MS_REC));
  EXPECT_FALSE(parse_mount_options({"bind"}).recursive_bind());
}

TEST(MountOptions, TmpcopyupIsOursNotTheKernels) {
  auto o = parse_mount_options({"nosuid", "tmpcopyup", "mode=755"});
  EXPECT_TRUE(o.copy_up);
  EXPECT_EQ(o.data, "mode=755");
  EXPECT_FALSE(parse_mount_options({"mode=755"}).copy_up);
}

TEST(MountOptions, FsOptionsSplitAsMount2WouldReadThem) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split_fs_options("tmpfs", "size=1m,mode=755"), (V{"size=1m", "mode=755"}));
  EXPECT_EQ(split_fs_options("proc", ""), V{});
  EXPECT_EQ(split_fs_options("proc", "hidepid=2,,subset=pid"), (V{"hidepid=2", "subset=pid"}));
  // Quotes keep commas inside one option and are dropped.
  EXPECT_EQ(split_fs_options("tmpfs", "context=\"system_u:object_r:t:s0:c1,c2\",size=1m"),
            (V{"context=system_u:object_r:t:s0:c1,c2", "size=1m"}));
  // tmpfs: a comma before a digit continues the option (mpol node lists); other types split there.
  EXPECT_EQ(split_fs_options("tmpfs", "mpol=bind:0-3,5,size=1m"), (V{"mpol=bind:0-3,5", "size=1m"}));
  EXPECT_EQ(split_fs_options("devpts", "mode=620,5"), (V{"mode=620", "5"}));
}

TEST(MountOptions, RefusesIdmappedMounts) { EXPECT_THROW(parse_mount_options({"idmap"}), roost::Error); }

TEST(MountAttr, MapsFlagsToMountSetattr) {
  uint64_t set = 0, clear = 0;
  roost::ms_flags_to_attr(MS_RDONLY | MS_NOSUID | MS_NOATIME, MS_NOEXEC, set, clear);
  EXPECT_EQ(set, roost::kAttrRdonly | roost::kAttrNosuid | roost::kAttrNoatime);
  EXPECT_EQ(clear, roost::kAttrNoexec | roost::kAttrAtimeMask);
}
