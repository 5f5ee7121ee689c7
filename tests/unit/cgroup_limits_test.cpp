#include "sys/cgroup_limits.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "oci/resources.hpp"
#include "util/error.hpp"

namespace roost {
namespace {

oci::Resources parse(const char* text) { return oci::parse_resources(nlohmann::json::parse(text)); }

std::string value_of(const std::vector<CgroupWrite>& writes, const std::string& file) {
  for (const auto& w : writes)
    if (w.file == file) return w.value;
  return "<absent>";
}

TEST(CgroupLimits, MemoryLimitReservationAndSwap) {
  auto w = cgroup_v2_writes(parse(R"({"memory": {"limit": 1000, "reservation": 500, "swap": 1500}})"));
  EXPECT_EQ(value_of(w, "memory.max"), "1000");
  EXPECT_EQ(value_of(w, "memory.low"), "500");
  // runtime-spec swap is memory+swap; cgroup v2 limits swap alone.
  EXPECT_EQ(value_of(w, "memory.swap.max"), "500");
  EXPECT_EQ(value_of(cgroup_v2_writes(parse(R"({"memory": {"limit": -1, "swap": -1}})")), "memory.max"), "max");
}

TEST(CgroupLimits, SwapBelowMemoryIsRefused) {
  EXPECT_THROW(cgroup_v2_writes(parse(R"({"memory": {"limit": 1000, "swap": 500}})")), Error);
  EXPECT_THROW(cgroup_v2_writes(parse(R"({"memory": {"swap": 500}})")), Error);
}

TEST(CgroupLimits, CpuConversions) {
  auto w = cgroup_v2_writes(parse(R"({"cpu": {"shares": 2, "quota": 50000, "period": 100000, "cpus": "0-1"}})"));
  EXPECT_EQ(value_of(w, "cpu.weight"), "1");
  EXPECT_EQ(value_of(w, "cpu.max"), "50000 100000");
  EXPECT_EQ(value_of(w, "cpuset.cpus"), "0-1");
  EXPECT_EQ(value_of(cgroup_v2_writes(parse(R"({"cpu": {"shares": 262144}})")), "cpu.weight"), "10000");
  EXPECT_EQ(value_of(cgroup_v2_writes(parse(R"({"cpu": {"period": 50000}})")), "cpu.max"), "max 50000");
}

TEST(CgroupLimits, DefaultsAreMarked) {
  // containerd always sends shares 1024; a zero pids limit means none. A host without those
  // controllers loses nothing by skipping them.
  for (const auto& w : cgroup_v2_writes(parse(R"({"cpu": {"shares": 1024}, "pids": {"limit": 0}})")))
    EXPECT_TRUE(w.is_default) << w.file;
  for (const auto& w : cgroup_v2_writes(parse(R"({"cpu": {"shares": 512}, "pids": {"limit": 10}})")))
    EXPECT_FALSE(w.is_default) << w.file;
}

TEST(CgroupLimits, PidsHugetlbIoAndUnified) {
  auto w = cgroup_v2_writes(parse(R"({"pids": {"limit": 64}, "blockIO": {"weight": 1000},
      "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}], "unified": {"cgroup.max.depth": "3"}})"));
  EXPECT_EQ(value_of(w, "pids.max"), "64");
  EXPECT_EQ(value_of(w, "io.weight"), "default 10000");
  EXPECT_EQ(value_of(w, "hugetlb.2MB.max"), "4194304");
  EXPECT_EQ(value_of(w, "cgroup.max.depth"), "3");
  for (const auto& x : w)
    if (x.file == "cgroup.max.depth") {
      EXPECT_EQ(x.controller, "");
    }
}

TEST(CgroupLimits, EmptyResourcesWriteNothing) {
  EXPECT_TRUE(cgroup_v2_writes(parse("{}")).empty());
  EXPECT_TRUE(cgroup_v2_writes(parse(R"({"devices": [{"allow": false, "access": "rwm"}], "memory": {}})")).empty());
}

TEST(Resources, RefusesV1OnlyAndMalformed) {
  EXPECT_THROW(parse(R"({"memory": {"swappiness": 10}})"), Error);
  EXPECT_THROW(parse(R"({"memory": {"disableOOMKiller": true}})"), Error);
  EXPECT_NO_THROW(parse(R"({"memory": {"disableOOMKiller": false}})"));
  EXPECT_THROW(parse(R"({"memory": {"kernel": 1048576}})"), Error);
  EXPECT_THROW(parse(R"({"memory": {"kernelTCP": 1048576}})"), Error);
  EXPECT_NO_THROW(parse(R"({"memory": {"kernel": 0, "kernelTCP": 0}})"));
  EXPECT_THROW(parse(R"({"network": {"classID": 1}})"), Error);
  EXPECT_THROW(parse(R"({"memory": {"limit": "lots"}})"), Error);
  EXPECT_THROW(parse(R"({"unified": {"../memory.max": "1"}})"), Error);
  EXPECT_THROW(parse(R"({"blockIO": {"weight": 5}})"), Error);
}

TEST(Resources, TextErrorsNameTheDocument) {
  try {
    oci::parse_resources_text(R"({"pids": {"limit": "x"}})", "res.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("res.json.pids", 0), 0u) << e.what();
  }
  EXPECT_THROW(oci::parse_resources_text("{", "res.json"), Error);
}

TEST(CgroupPath, AbsoluteRelativeAndDefault) {
  EXPECT_EQ(cgroup_relative_path("/a/b", "c1", false, "/user.slice"), "/a/b");
  EXPECT_EQ(cgroup_relative_path("a/b", "c1", false, "/user.slice"), "/user.slice/a/b");
  EXPECT_EQ(cgroup_relative_path("", "c1", false, "/"), "/c1");
  EXPECT_EQ(cgroup_relative_path("", "c1", false, "/me"), "/me/c1");
  EXPECT_THROW(cgroup_relative_path("/a/../../etc", "c1", false, "/"), Error);
}

TEST(CgroupPath, SystemdSliceLayout) {
  EXPECT_EQ(cgroup_relative_path("machine-pod.slice:libpod:abc", "c1", true, "/"),
            "/machine.slice/machine-pod.slice/libpod-abc.scope");
  EXPECT_EQ(cgroup_relative_path(":roost:abc", "c1", true, "/"), "/system.slice/roost-abc.scope");
  EXPECT_EQ(cgroup_relative_path("-.slice:p:n", "c1", true, "/"), "/p-n.scope");
  EXPECT_THROW(cgroup_relative_path("notaslice:p:n", "c1", true, "/"), Error);
  EXPECT_THROW(cgroup_relative_path("a.slice:p", "c1", true, "/"), Error);
}

}  // namespace
}  // namespace roost
