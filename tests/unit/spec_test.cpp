#include <gtest/gtest.h>

#include "container/features.hpp"
#include "oci/default_spec.hpp"
#include "oci/resources.hpp"
#include "oci/spec.hpp"
#include "util/error.hpp"

using roost::Error;
using roost::oci::parse_spec;

namespace {

std::string minimal(const std::string& extra = "") {
  return R"({"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"args":["sh"],"cwd":"/"},
            "linux":{"namespaces":[{"type":"mount"},{"type":"uts"}]})" +
         extra + "}";
}

}  // namespace

TEST(Spec, ParsesTheDefaultSpecBothWays) {
  for (bool rootless : {false, true}) {
    auto spec = parse_spec(roost::oci::default_spec_json(rootless));
    ASSERT_TRUE(spec.process);
    EXPECT_EQ(spec.process->args, std::vector<std::string>{"sh"});
    EXPECT_TRUE(spec.root_readonly);
    EXPECT_EQ(spec.has_namespace("user"), rootless);
    EXPECT_TRUE(spec.linux.uid_mappings.empty());
    EXPECT_EQ(spec.process->rlimits.size(), 1u);
    EXPECT_TRUE(spec.process->no_new_privileges);
  }
}

TEST(Spec, ReadsProcessFields) {
  auto spec = parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"/r","readonly":true},
    "process":{"terminal":true,"consoleSize":{"height":24,"width":80},
      "user":{"uid":1000,"gid":100,"umask":18,"additionalGids":[5,6]},
      "args":["/bin/echo","hi"],"env":["A=1"],"cwd":"/tmp",
      "capabilities":{"bounding":["CAP_KILL"],"ambient":["CAP_KILL"]},
      "rlimits":[{"type":"RLIMIT_NOFILE","soft":10,"hard":20}],
      "noNewPrivileges":true,"oomScoreAdj":500},
    "hostname":"h","domainname":"d","annotations":{"a":"b"},
    "linux":{"namespaces":[{"type":"uts"},{"type":"network","path":"/proc/1/ns/net"}],
      "sysctl":{"net.ipv4.ip_forward":"1"},"maskedPaths":["/proc/kcore"],"rootfsPropagation":"rslave"}})");
  const auto& p = *spec.process;
  EXPECT_TRUE(p.terminal);
  EXPECT_EQ(p.console_size->width, 80u);
  EXPECT_EQ(p.user.uid, 1000u);
  EXPECT_EQ(*p.user.umask, 18u);
  EXPECT_EQ(p.user.additional_gids, (std::vector<gid_t>{5, 6}));
  EXPECT_EQ(p.cwd, "/tmp");
  EXPECT_EQ(p.capabilities->bounding, std::vector<std::string>{"CAP_KILL"});
  EXPECT_EQ(p.rlimits[0].hard, 20u);
  EXPECT_EQ(*p.oom_score_adj, 500);
  EXPECT_EQ(spec.hostname, "h");
  EXPECT_EQ(spec.annotations.at("a"), "b");
  EXPECT_EQ(spec.find_namespace("network")->path, "/proc/1/ns/net");
  EXPECT_EQ(spec.linux.sysctl.at("net.ipv4.ip_forward"), "1");
  EXPECT_EQ(spec.linux.rootfs_propagation, "rslave");
}

TEST(Spec, RejectsMalformedJson) { EXPECT_THROW(parse_spec("{not json"), Error); }

// Found by fuzz/fuzz_spec and fuzz_seccomp: a number beyond a double's range made nlohmann throw
// out_of_range, which escaped as a non-roost exception.
TEST(Spec, RejectsNumberTooLargeForADoubleAsAnError) {
  EXPECT_THROW(parse_spec(" 777777777777777777777777777978868e8952"), Error);
  EXPECT_THROW(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"seccomp":1e9999}})"), Error);
  EXPECT_THROW(roost::oci::parse_process(R"({"args":["x"],"cwd":"/","user":{"uid":1e400,"gid":0}})"), Error);
  EXPECT_THROW(roost::oci::parse_resources_text(R"({"memory":{"limit":9e999}})", "resources.json"), Error);
}

// Found by the fuzzers under UBSan: a float in an integer field was converted with undefined
// behaviour when out of range.
TEST(Spec, RejectsAFloatInAnIntegerField) {
  EXPECT_THROW(roost::oci::parse_process(R"({"args":["x"],"cwd":"/","user":{"uid":1e70,"gid":0}})"), Error);
  EXPECT_THROW(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":4e25}}})"), Error);
}

TEST(Spec, RejectsMissingRootOrVersion) {
  EXPECT_THROW(parse_spec(R"({"ociVersion":"1.0.2"})"), Error);
  EXPECT_THROW(parse_spec(R"({"root":{"path":"r"}})"), Error);
  EXPECT_THROW(parse_spec(R"({"ociVersion":"2.0.0","root":{"path":"r"}})"), Error);
}

TEST(Spec, RejectsUnknownAndDuplicateNamespaces) {
  EXPECT_THROW(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"namespaces":[{"type":"foo"}]}})"), Error);
  EXPECT_THROW(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"namespaces":[{"type":"pid"},{"type":"pid"}]}})"),
               Error);
}

TEST(Spec, RejectsFieldsNotImplementedWithTheirName) {
  try {
    parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"intelRdt":{"closID":"x"}}})");
    FAIL() << "intelRdt accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("linux.intelRdt"), std::string::npos) << e.what();
  }
  // cgroup v1-only resources are refused; limits parse into the model (applied at create).
  EXPECT_THROW(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"resources":{"memory":{"swappiness":10}}}})"),
               Error);
  EXPECT_EQ(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"resources":{"memory":{"limit":1000}}}})")
                .linux.resources.memory_limit,
            1000);
  // Device rules alone are accepted (no cgroup needed to honour a deny-all default).
  EXPECT_NO_THROW(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},
    "linux":{"resources":{"devices":[{"allow":false,"access":"rwm"}]}}})"));
}

TEST(Spec, ReadsSeccomp) {
  auto spec = parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"seccomp":{
    "defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"architectures":["SCMP_ARCH_X86_64"],
    "flags":["SECCOMP_FILTER_FLAG_LOG"],
    "syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},
                {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]}]}}})");
  ASSERT_TRUE(spec.linux.seccomp);
  const auto& sc = *spec.linux.seccomp;
  EXPECT_EQ(sc.default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(*sc.default_errno_ret, 38u);
  EXPECT_EQ(sc.syscalls.size(), 2u);
  EXPECT_EQ(sc.syscalls[1].args[0].value, 8u);
  EXPECT_THROW(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"seccomp":{"syscalls":[]}}})"), Error);
  EXPECT_THROW(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW",
    "syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}}})"), Error);
}

// create and exec leave linux.seccomp as text (its compiled program is usually cached): the rest
// of the config is the same, and the text parses to the same profile, with the same errors.
TEST(Spec, DeferredSeccompIsTheSameProfileAsText) {
  using roost::oci::SeccompParse;
  for (bool rootless : {false, true}) {
    const std::string text = roost::oci::default_spec_json(rootless);
    const auto now = parse_spec(text);
    const auto deferred = parse_spec(text, SeccompParse::Deferred);
    ASSERT_TRUE(now.linux.seccomp);
    EXPECT_FALSE(now.linux.seccomp_json);
    EXPECT_FALSE(deferred.linux.seccomp);
    ASSERT_TRUE(deferred.linux.seccomp_json);
    EXPECT_EQ(deferred.linux.seccomp_json->find_first_of(" \n"), std::string::npos);  // compacted
    const auto profile = roost::oci::seccomp_profile(deferred.linux);
    ASSERT_TRUE(profile);
    EXPECT_EQ(profile->default_action, now.linux.seccomp->default_action);
    EXPECT_EQ(profile->architectures, now.linux.seccomp->architectures);
    ASSERT_EQ(profile->syscalls.size(), now.linux.seccomp->syscalls.size());
    for (size_t i = 0; i < profile->syscalls.size(); ++i) {
      EXPECT_EQ(profile->syscalls[i].names, now.linux.seccomp->syscalls[i].names);
      EXPECT_EQ(profile->syscalls[i].action, now.linux.seccomp->syscalls[i].action);
      EXPECT_EQ(profile->syscalls[i].args.size(), now.linux.seccomp->syscalls[i].args.size());
    }
    EXPECT_EQ(deferred.linux.masked_paths, now.linux.masked_paths);
    EXPECT_EQ(deferred.process->args, now.process->args);
  }
  // No profile, or null: nothing either way.
  EXPECT_FALSE(parse_spec(minimal(), SeccompParse::Deferred).linux.seccomp_json);
  const auto null = parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"seccomp":null}})",
                               SeccompParse::Deferred);
  EXPECT_FALSE(null.linux.seccomp_json);
  EXPECT_FALSE(roost::oci::seccomp_profile(null.linux));
  // Where the split is refused (linux twice) the profile is parsed at once, as without deferring.
  const auto twice = parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{},
    "linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW"}}})", SeccompParse::Deferred);
  EXPECT_TRUE(twice.linux.seccomp);
  EXPECT_FALSE(twice.linux.seccomp_json);
  // Malformed JSON outside the profile is the whole text's error, as without deferring.
  const std::string broken = R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"seccomp":{}},"x":[1 2]})";
  std::string now_error, deferred_error;
  try { parse_spec(broken); } catch (const Error& e) { now_error = e.what(); }
  try { parse_spec(broken, SeccompParse::Deferred); } catch (const Error& e) { deferred_error = e.what(); }
  EXPECT_FALSE(now_error.empty());
  EXPECT_EQ(deferred_error, now_error);
  // A bad profile is found when the text is read, with parse_spec's message.
  const std::string bad = R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"seccomp":{"syscalls":[]}}})";
  const auto later = parse_spec(bad, SeccompParse::Deferred);
  try {
    roost::oci::seccomp_profile(later.linux);
    FAIL() << "parsed";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "config.json: linux.seccomp.defaultAction: missing");
  }
}

TEST(Spec, IgnoresPropertiesTheSpecDoesNotDefine) {
  EXPECT_NO_THROW(parse_spec(minimal(R"(,"org.example.extension":{"x":1})")));
}

TEST(Spec, RejectsHostnameWithoutUtsNamespace) {
  EXPECT_THROW(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"hostname":"x"})"), Error);
}

TEST(Spec, RejectsWrongTypesNamingTheField) {
  try {
    parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"process":{"args":"sh","cwd":"/"}})");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("process.args"), std::string::npos) << e.what();
  }
}

TEST(Spec, RejectsBadProcessValues) {
  EXPECT_THROW(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"process":{"args":[],"cwd":"/"}})"), Error);
  EXPECT_THROW(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"process":{"args":["a"],"cwd":"rel"}})"), Error);
  EXPECT_THROW(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"process":{"args":["a"],"cwd":"/",
    "rlimits":[{"type":"RLIMIT_NOFILE","soft":5,"hard":1}]}})"), Error);
  EXPECT_THROW(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"process":{"args":["a"],"cwd":"/","oomScoreAdj":5000}})"),
               Error);
}

TEST(Spec, MakesRelativeMountDestinationsAbsolute) {
  auto spec = parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"mounts":[{"destination":"data","type":"tmpfs"}]})");
  EXPECT_EQ(spec.mounts[0].destination, "/data");
}

TEST(Spec, HooksNeedAbsolutePathsAndPositiveTimeouts) {
  EXPECT_THROW(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"hooks":{"prestart":[{"path":"rel"}]}})"), Error);
  EXPECT_THROW(parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"hooks":{"poststop":[{"path":"/x","timeout":0}]}})"),
               Error);
  auto spec = parse_spec(R"({"ociVersion":"1.0.2","root":{"path":"r"},"hooks":{"createRuntime":[{"path":"/x","args":["x","1"],"timeout":3}]}})");
  EXPECT_EQ(*spec.hooks.create_runtime[0].timeout, 3);
  EXPECT_EQ(spec.hooks.create_runtime[0].args.size(), 2u);
}

TEST(Spec, FeaturesListsNamespacesAndHooks) {
  std::string f = roost::features_json();
  EXPECT_NE(f.find("\"cgroup\""), std::string::npos);
  EXPECT_NE(f.find("createRuntime"), std::string::npos);
  EXPECT_NE(f.find("CAP_SYS_ADMIN"), std::string::npos);
}
