// The maps the engine gives store::mount_layers for a nested user namespace
// (ctr::nested_user_namespace_maps): the same as config.json's, so that the rootfs's files show
// through the mount as the container's namespace expects them (issue 13).
#include <gtest/gtest.h>

#include "ctr/oci_spec.hpp"
#include "util/error.hpp"

namespace {

roost::ctr::SpecInputs inputs_for(const std::string& userns, std::vector<std::string> uid_maps = {},
                                  std::vector<std::string> gid_maps = {}) {
  roost::ctr::SpecInputs in;
  in.config.userns = userns;
  in.config.uid_maps = std::move(uid_maps);
  in.config.gid_maps = std::move(gid_maps);
  in.outer = {1001, 1001, 65537, 65537};  // roost-test: 0 -> 1001, 1..65536 -> its range
  return in;
}

using Maps = std::vector<roost::oci::IdMapping>;

}  // namespace

TEST(StoreIdmapMaps, NoNestedNamespaceNoMapping) {
  EXPECT_FALSE(roost::ctr::nested_user_namespace_maps(inputs_for("")).has_value());
  EXPECT_FALSE(roost::ctr::nested_user_namespace_maps(inputs_for("host")).has_value());
}

TEST(StoreIdmapMaps, KeepIdShowsTheImagesRootAsRootAndTheUserAsThemselves) {
  const auto maps = roost::ctr::nested_user_namespace_maps(inputs_for("keep-id"));
  ASSERT_TRUE(maps.has_value());
  // A file stored as 0 (the image's root) shows as outer id 1, the container's 0; one stored as
  // 1001 shows as outer 0, the user: the container's 1001.
  const Maps expected{{0, 1, 1001}, {1001, 0, 1}, {1002, 1002, 64535}};
  EXPECT_EQ(maps->uid, expected);
  EXPECT_EQ(maps->gid, expected);
}

TEST(StoreIdmapMaps, UidmapAloneServesForGids) {
  const auto maps = roost::ctr::nested_user_namespace_maps(inputs_for("", {"0:1:1000"}));
  ASSERT_TRUE(maps.has_value());
  EXPECT_EQ(maps->uid, (Maps{{0, 1, 1000}}));
  EXPECT_EQ(maps->gid, (Maps{{0, 1, 1000}}));
}

TEST(StoreIdmapMaps, KeepIdWithoutARangeIsRefusedBeforeAnythingIsMounted) {
  roost::ctr::SpecInputs in = inputs_for("keep-id");
  in.outer = {1002, 1002, 1, 1};  // roost-nosub: only itself
  EXPECT_THROW(roost::ctr::nested_user_namespace_maps(in), roost::Error);
}

TEST(StoreIdmapMaps, UidmapBeyondTheUsersRangeIsRefused) {
  EXPECT_THROW(roost::ctr::nested_user_namespace_maps(inputs_for("", {"0:1:65537"})), roost::Error);
  roost::ctr::SpecInputs in = inputs_for("", {"0:1:1000"});
  in.outer = {1002, 1002, 1, 1};  // no range: only the user's own id
  EXPECT_THROW(roost::ctr::nested_user_namespace_maps(in), roost::Error);
  EXPECT_NO_THROW(roost::ctr::nested_user_namespace_maps(inputs_for("", {"0:1:65536"})));
}
