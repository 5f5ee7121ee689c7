#include <gtest/gtest.h>

#include "sys/seccomp.hpp"
#include "util/error.hpp"

using roost::Error;
using roost::SeccompFilter;
using roost::oci::Seccomp;

namespace {

Seccomp profile(const std::string& default_action, std::vector<roost::oci::SeccompSyscall> rules = {}) {
  Seccomp s;
  s.default_action = default_action;
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
  s.syscalls = std::move(rules);
  return s;
}

}  // namespace

TEST(Seccomp, CompilesAllActionsAndOperators) {
  std::vector<roost::oci::SeccompSyscall> rules;
  for (const auto& action : roost::seccomp_actions()) {
    if (action == "SCMP_ACT_ERRNO") continue;  // the default below
    rules.push_back({{"getpid"}, action, std::nullopt, {}});
  }
  for (const auto& op : roost::seccomp_operators()) rules.push_back({{"personality"}, "SCMP_ACT_ALLOW", std::nullopt, {{0, 8, 8, op}}});
  EXPECT_NO_THROW(SeccompFilter::compile(profile("SCMP_ACT_ERRNO", rules)));
}

TEST(Seccomp, SkipsSyscallsThisArchitectureDoesNotKnow) {
  auto f = SeccompFilter::compile(profile("SCMP_ACT_ALLOW", {{{"no_such_syscall", "mkdir"}, "SCMP_ACT_ERRNO", 1, {}}}));
  EXPECT_EQ(f.unknown_syscalls(), std::vector<std::string>{"no_such_syscall"});
}

TEST(Seccomp, RepeatedArgumentIndexBecomesSeparateRules) {
  EXPECT_NO_THROW(SeccompFilter::compile(profile(
      "SCMP_ACT_ALLOW", {{{"personality"}, "SCMP_ACT_ERRNO", 1, {{0, 1, 0, "SCMP_CMP_EQ"}, {0, 2, 0, "SCMP_CMP_EQ"}}}})));
}

TEST(Seccomp, RejectsUnknownActionOperatorArchitectureAndFlag) {
  EXPECT_THROW(SeccompFilter::compile(profile("SCMP_ACT_BOGUS")), Error);
  EXPECT_THROW(SeccompFilter::compile(profile("SCMP_ACT_ALLOW", {{{"read"}, "SCMP_ACT_NOPE", std::nullopt, {}}})), Error);
  EXPECT_THROW(SeccompFilter::compile(profile("SCMP_ACT_ALLOW", {{{"read"}, "SCMP_ACT_ERRNO", 1, {{0, 1, 0, "SCMP_CMP_SOMETIMES"}}}})),
               Error);
  auto bad_arch = profile("SCMP_ACT_ALLOW");
  bad_arch.architectures = {"SCMP_ARCH_Z80"};
  EXPECT_THROW(SeccompFilter::compile(bad_arch), Error);
  auto bad_flag = profile("SCMP_ACT_ALLOW");
  bad_flag.flags = {"SECCOMP_FILTER_FLAG_MAGIC"};
  EXPECT_THROW(SeccompFilter::compile(bad_flag), Error);
}

TEST(Seccomp, RefusesNotifyUntilAListenerIsImplemented) {
  try {
    SeccompFilter::compile(profile("SCMP_ACT_ALLOW", {{{"mkdir"}, "SCMP_ACT_NOTIFY", std::nullopt, {}}}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("SCMP_ACT_NOTIFY"), std::string::npos);
  }
}

TEST(Seccomp, ExportsABpfProgramAndMapsFlagsToSeccomp2) {
  auto p = profile("SCMP_ACT_ALLOW", {{{"mkdir"}, "SCMP_ACT_ERRNO", 1, {}}});
  p.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"};
  auto f = SeccompFilter::compile(p);
  EXPECT_GT(f.program().size(), 3u);
  EXPECT_EQ(f.flags(), 1u | 2u | 4u);  // TSYNC | LOG | SPEC_ALLOW
}

TEST(Seccomp, WaitKillableRecvNeedsANotifyListener) {
  auto p = profile("SCMP_ACT_ALLOW");
  p.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  try {
    SeccompFilter::compile(p);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("SCMP_ACT_NOTIFY"), std::string::npos) << e.what();
  }
}
