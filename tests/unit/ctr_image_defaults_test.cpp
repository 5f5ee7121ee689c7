// The image's config under run's flags (conversion.md and podman's rules): the process's args
// from Entrypoint, Cmd, --entrypoint and the command line; env merged by key; working dir,
// user, stop signal, exposed ports, labels and the image's volumes.
#include "ctr/image_defaults.hpp"

#include <gtest/gtest.h>

#include "util/error.hpp"

using namespace roost::ctr;
using nlohmann::json;

namespace {

const json kImage = json::parse(R"({
  "Entrypoint": ["/entry.sh"],
  "Cmd": ["serve", "--port", "80"],
  "Env": ["PATH=/opt/bin:/bin", "LANG=C.UTF-8", "MODE=prod"],
  "WorkingDir": "/app",
  "User": "app",
  "StopSignal": "SIGQUIT",
  "ExposedPorts": {"80/tcp": {}, "53/udp": {}},
  "Volumes": {"/data": {}, "/cache": {}},
  "Labels": {"maintainer": "x", "tier": "image"}
})");

TEST(CtrImageDefaults, ImageAloneGivesEntrypointPlusCmd) {
  ContainerConfig c;
  apply_image_config(c, kImage, {});
  EXPECT_EQ(c.args, (std::vector<std::string>{"/entry.sh", "serve", "--port", "80"}));
  EXPECT_EQ(c.env, (std::vector<std::string>{"PATH=/opt/bin:/bin", "LANG=C.UTF-8", "MODE=prod"}));
  EXPECT_EQ(c.working_dir, "/app");
  EXPECT_TRUE(c.create_working_dir);  // the image's: made at start when missing
  EXPECT_EQ(c.user, "app");
  EXPECT_EQ(c.stop_signal, "SIGQUIT");
  EXPECT_EQ(c.stop_signal_from_image, "SIGQUIT");
  EXPECT_EQ(c.exposed_ports, (std::vector<std::string>{"53/udp", "80/tcp"}));
  EXPECT_EQ(c.labels, (std::map<std::string, std::string>{{"maintainer", "x"}, {"tier", "image"}}));
  ASSERT_EQ(c.mounts.size(), 2u);
  EXPECT_EQ(c.mounts[0], (MountRequest{"volume", "", "/cache", {}, false}));
  EXPECT_EQ(c.mounts[1], (MountRequest{"volume", "", "/data", {}, false}));
}

TEST(CtrImageDefaults, CommandReplacesCmdAndKeepsEntrypoint) {
  ContainerConfig c;
  ImageOverrides o;
  o.command = {"migrate"};
  apply_image_config(c, kImage, o);
  EXPECT_EQ(c.args, (std::vector<std::string>{"/entry.sh", "migrate"}));
}

TEST(CtrImageDefaults, EntrypointFlagDropsTheImagesCmd) {
  ContainerConfig c;
  ImageOverrides o;
  o.entrypoint = std::vector<std::string>{"/bin/sh"};
  apply_image_config(c, kImage, o);
  EXPECT_EQ(c.args, (std::vector<std::string>{"/bin/sh"}));
  o.command = {"-c", "true"};
  apply_image_config(c, kImage, o);
  EXPECT_EQ(c.args, (std::vector<std::string>{"/bin/sh", "-c", "true"}));
}

TEST(CtrImageDefaults, EmptyEntrypointClearsItAndNothingLeftIsPodmansError) {
  ContainerConfig c;
  ImageOverrides o;
  o.entrypoint = std::vector<std::string>{};
  o.command = {"ls"};
  apply_image_config(c, kImage, o);
  EXPECT_EQ(c.args, (std::vector<std::string>{"ls"}));
  o.command.clear();
  try {
    apply_image_config(c, kImage, o);
    FAIL();
  } catch (const roost::Error& e) {
    EXPECT_STREQ(e.what(), "no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  }
  EXPECT_THROW(apply_image_config(c, json::object(), {}), roost::Error);
  EXPECT_THROW(apply_image_config(c, nullptr, {}), roost::Error);
}

TEST(CtrImageDefaults, EntrypointFlagForms) {
  EXPECT_EQ(parse_entrypoint_flag(""), std::vector<std::string>{});
  EXPECT_EQ(parse_entrypoint_flag("sh -c"), std::vector<std::string>{"sh -c"});
  EXPECT_EQ(parse_entrypoint_flag(R"(["sh","-c"])"), (std::vector<std::string>{"sh", "-c"}));
  EXPECT_EQ(parse_entrypoint_flag("[not json"), std::vector<std::string>{"[not json"});
  EXPECT_EQ(parse_entrypoint_flag("[1,2]"), std::vector<std::string>{"[1,2]"});
}

TEST(CtrImageDefaults, EnvMergesByKeyInPlaceLaterWins) {
  ContainerConfig c;
  ImageOverrides o;
  o.env = {"MODE=dev", "NEW=1", "LANG=fr", "MODE=test"};
  apply_image_config(c, kImage, o);
  EXPECT_EQ(c.env, (std::vector<std::string>{"PATH=/opt/bin:/bin", "LANG=fr", "MODE=test", "NEW=1"}));
}

TEST(CtrImageDefaults, DefaultPathWhenNoneAndRootAtSlash) {
  ContainerConfig c;
  ImageOverrides o;
  o.command = {"true"};
  o.env = {"A=1"};
  apply_image_config(c, json::parse(R"({"Env": null, "WorkingDir": ""})"), o);
  EXPECT_EQ(c.env, (std::vector<std::string>{kDefaultPath, "A=1"}));
  EXPECT_EQ(c.working_dir, "/");
  EXPECT_FALSE(c.create_working_dir);
  EXPECT_EQ(c.user, "");
  EXPECT_EQ(c.stop_signal, "SIGTERM");
  EXPECT_TRUE(c.mounts.empty());
  // PATH from -e counts as set.
  o.env = {"PATH=/x"};
  apply_image_config(c, json::object(), o);
  EXPECT_EQ(c.env, (std::vector<std::string>{"PATH=/x"}));
}

TEST(CtrImageDefaults, FlagsWinOverTheImage) {
  ContainerConfig c;
  c.labels = {{"tier", "user"}};
  c.exposed_ports = {"80/tcp"};
  c.mounts = {MountRequest{"bind", "/host", "/data", {}, false}};
  ImageOverrides o;
  o.user = "1000:1000";
  o.working_dir = "/tmp";
  o.stop_signal = "SIGINT";
  apply_image_config(c, kImage, o);
  EXPECT_EQ(c.user, "1000:1000");
  EXPECT_EQ(c.working_dir, "/tmp");
  EXPECT_FALSE(c.create_working_dir);  // -w must exist
  EXPECT_EQ(c.stop_signal, "SIGINT");
  EXPECT_EQ(c.stop_signal_from_image, "SIGQUIT");
  EXPECT_EQ(c.labels.at("tier"), "user");
  EXPECT_EQ(c.labels.at("maintainer"), "x");
  EXPECT_EQ(c.exposed_ports, (std::vector<std::string>{"80/tcp", "53/udp"}));
  ASSERT_EQ(c.mounts.size(), 2u);  // the user's bind covers /data: only /cache is added
  EXPECT_EQ(c.mounts[0].type, "bind");
  EXPECT_EQ(c.mounts[1].destination, "/cache");
}

TEST(CtrImageDefaults, MalformedImageConfigNamesTheKey) {
  ContainerConfig c;
  try {
    apply_image_config(c, json::parse(R"({"Cmd": "not an array"})"), {});
    FAIL();
  } catch (const roost::Error& e) {
    EXPECT_NE(std::string(e.what()).find("Cmd"), std::string::npos) << e.what();
  }
  EXPECT_THROW(apply_image_config(c, json::parse(R"({"Cmd":["x"],"Volumes":["/a"]})"), {}), roost::Error);
}

}  // namespace
