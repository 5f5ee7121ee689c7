#include "sys/seccomp_cache.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "util/file.hpp"

namespace roost {
namespace {

// canonical_json stands for the profile's JSON, which the parser would have recorded.
oci::Seccomp getpid_profile(const std::string& action, const std::string& canonical_json) {
  oci::Seccomp s;
  s.canonical_json = canonical_json;
  s.default_action = "SCMP_ACT_ALLOW";
  s.architectures = {"SCMP_ARCH_X86_64"};
  s.syscalls = {{{"getpid", "no_such_syscall_here"}, action, std::nullopt, {}}};
  return s;
}

bool same(const SeccompFilter& a, const SeccompFilter& b) {
  return a.program().size() == b.program().size() &&
         std::equal(a.program().begin(), a.program().end(), b.program().begin(), [](const sock_filter& x, const sock_filter& y) {
           return x.code == y.code && x.jt == y.jt && x.jf == y.jf && x.k == y.k;
         });
}

class SeccompCache : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/roost-seccomp-cache-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string only_file() {
    std::string found;
    for (const auto& e : std::filesystem::directory_iterator(dir_ + "/c")) found = e.path();
    return found;
  }
  std::string dir_;
};

TEST_F(SeccompCache, StoresThenServesTheSameProgram) {
  const auto profile = getpid_profile("SCMP_ACT_KILL", "{\"kill\":1}");
  SeccompFilter first = compile_seccomp_cached(profile, dir_ + "/c");
  const std::string file = only_file();
  ASSERT_FALSE(file.empty());
  struct stat st;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  SeccompFilter second = compile_seccomp_cached(profile, dir_ + "/c");
  EXPECT_TRUE(same(first, second));
  EXPECT_EQ(second.unknown_syscalls(), std::vector<std::string>{"no_such_syscall_here"});
}

TEST_F(SeccompCache, ADifferentProfileIsNotServedTheOldProgram) {
  SeccompFilter kill = compile_seccomp_cached(getpid_profile("SCMP_ACT_KILL", "{\"kill\":1}"), dir_ + "/c");
  SeccompFilter log = compile_seccomp_cached(getpid_profile("SCMP_ACT_LOG", "{\"log\":1}"), dir_ + "/c");
  EXPECT_FALSE(same(kill, log));
}

TEST_F(SeccompCache, AFileOthersCouldWriteIsNotTrusted) {
  const auto profile = getpid_profile("SCMP_ACT_KILL", "{\"kill\":1}");
  SeccompFilter good = compile_seccomp_cached(profile, dir_ + "/c");
  const std::string file = only_file();
  std::string data = read_file(file);
  data[data.size() - 1] ^= 0x5a;  // corrupt the program: still well-formed, so the size checks pass
  ::chmod(file.c_str(), 0666);  // and writable by others: must be ignored for that alone
  write_file(file, data, O_WRONLY | O_TRUNC);
  SeccompFilter again = compile_seccomp_cached(profile, dir_ + "/c");
  EXPECT_TRUE(same(good, again));
  // The rewritten file is 0600 again and serves the right program.
  struct stat st;
  ASSERT_EQ(::stat(only_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SeccompCache, AKeyMismatchInTheFileIsAMiss) {
  const auto profile = getpid_profile("SCMP_ACT_KILL", "{\"kill\":1}");
  SeccompFilter good = compile_seccomp_cached(profile, dir_ + "/c");
  const std::string file = only_file();
  std::string data = read_file(file);
  auto at = data.find("{\"kill\":1}");
  ASSERT_NE(at, std::string::npos);
  data[at + 2] = 'K';  // the stored key no longer matches the profile's
  write_file(file, data, O_WRONLY | O_TRUNC);
  SeccompFilter again = compile_seccomp_cached(profile, dir_ + "/c");
  EXPECT_TRUE(same(good, again));
  EXPECT_NE(read_file(file).find("{\"kill\":1}"), std::string::npos);
}

}  // namespace
}  // namespace roost
