#include "sys/seccomp_cache.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "oci/spec.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost {
namespace {

oci::Seccomp getpid_profile(const std::string& action) {
  oci::Seccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.architectures = {"SCMP_ARCH_X86_64"};
  s.syscalls = {{{"getpid", "no_such_syscall_here"}, action, std::nullopt, {}}};
  return s;
}

bool same(const SeccompProgram& a, const SeccompProgram& b) {
  return a.flags == b.flags && a.code.size() == b.code.size() &&
         std::equal(a.code.begin(), a.code.end(), b.code.begin(), [](const sock_filter& x, const sock_filter& y) {
           return x.code == y.code && x.jt == y.jt && x.jf == y.jf && x.k == y.k;
         });
}

bool same(const SeccompFilter& a, const SeccompFilter& b) {
  return same(a.main_program(), b.main_program()) && same(a.listener_program(), b.listener_program());
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
  const auto profile = getpid_profile("SCMP_ACT_KILL");
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

// Proof that a hit is served from the file, not compiled again: a change to the stored program of
// a file that passes every check is what comes back.
TEST_F(SeccompCache, ATrustedFileIsWhatIsServed) {
  auto profile = getpid_profile("SCMP_ACT_NOTIFY");
  profile.listener_path = "/run/agent.sock";
  SeccompFilter compiled = compile_seccomp_cached(profile, dir_ + "/c");
  const std::string file = only_file();
  std::string data = read_file(file);
  data[data.size() - 1] ^= 0x5a;  // the listener program's last instruction
  write_file(file, data, O_WRONLY | O_TRUNC);
  SeccompFilter served = compile_seccomp_cached(profile, dir_ + "/c");
  EXPECT_TRUE(same(compiled.main_program(), served.main_program()));
  EXPECT_FALSE(same(compiled.listener_program(), served.listener_program()));
}

TEST_F(SeccompCache, ANotifyProfileKeepsBothPrograms) {
  auto profile = getpid_profile("SCMP_ACT_NOTIFY");
  profile.listener_path = "/run/agent.sock";
  SeccompFilter first = compile_seccomp_cached(profile, dir_ + "/c");
  ASSERT_TRUE(first.needs_listener());
  SeccompFilter second = compile_seccomp_cached(profile, dir_ + "/c");
  EXPECT_TRUE(second.needs_listener());
  EXPECT_TRUE(same(first, second));
  // A cached profile without notify rules still has no listener.
  compile_seccomp_cached(getpid_profile("SCMP_ACT_KILL"), dir_ + "/c");
  EXPECT_FALSE(compile_seccomp_cached(getpid_profile("SCMP_ACT_KILL"), dir_ + "/c").needs_listener());
}

TEST_F(SeccompCache, ADifferentProfileIsNotServedTheOldProgram) {
  SeccompFilter kill = compile_seccomp_cached(getpid_profile("SCMP_ACT_KILL"), dir_ + "/c");
  SeccompFilter log = compile_seccomp_cached(getpid_profile("SCMP_ACT_LOG"), dir_ + "/c");
  EXPECT_FALSE(same(kill, log));
}

TEST_F(SeccompCache, AFileOthersCouldWriteIsNotTrusted) {
  const auto profile = getpid_profile("SCMP_ACT_KILL");
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
  const auto profile = getpid_profile("SCMP_ACT_KILL");
  SeccompFilter good = compile_seccomp_cached(profile, dir_ + "/c");
  const std::string file = only_file();
  std::string data = read_file(file);
  auto at = data.find("SCMP_ACT_KILL");
  ASSERT_NE(at, std::string::npos);
  data[at + 9] = 'Q';  // the stored key no longer matches the profile's
  write_file(file, data, O_WRONLY | O_TRUNC);
  SeccompFilter again = compile_seccomp_cached(profile, dir_ + "/c");
  EXPECT_TRUE(same(good, again));
  EXPECT_NE(read_file(file).find("SCMP_ACT_KILL"), std::string::npos);
}

// The deferred path: linux.seccomp's text is the key; the first use compiles, the next reads the
// file, and the program is the one the parsed profile compiles to.
TEST_F(SeccompCache, TheProfilesTextIsAKeyToo) {
  const std::string text =
      R"({"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],)"
      R"("syscalls":[{"names":["getpid","no_such_syscall_here"],"action":"SCMP_ACT_KILL"}]})";
  SeccompFilter first = compile_seccomp_cached_json(text, dir_ + "/c");
  const std::string file = only_file();
  ASSERT_FALSE(file.empty());
  SeccompFilter second = compile_seccomp_cached_json(text, dir_ + "/c");
  EXPECT_TRUE(same(first, second));
  EXPECT_TRUE(same(first, SeccompFilter::compile(getpid_profile("SCMP_ACT_KILL"))));
  EXPECT_EQ(second.unknown_syscalls(), std::vector<std::string>{"no_such_syscall_here"});
  EXPECT_NE(read_file(file).find(text), std::string::npos);  // the whole key is in the file

  // A bad profile is the error parse_spec gives for it, and nothing is stored.
  std::filesystem::remove_all(dir_ + "/c");
  try {
    compile_seccomp_cached_json(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[],"action":"SCMP_ACT_KILL"}]})",
                                dir_ + "/c");
    FAIL() << "compiled";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "config.json: linux.seccomp.syscalls[].names: must name at least one syscall");
  }
  for (const char* bad : {"[1]", "{\"defaultAction\":"}) {
    try {
      compile_seccomp_cached_json(bad, dir_ + "/c");
      FAIL() << "compiled " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind("config.json: linux.seccomp: ", 0), 0u) << e.what();
    }
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/c") && !std::filesystem::is_empty(dir_ + "/c"));

  oci::Linux lx;
  EXPECT_FALSE(compile_seccomp_cached(lx, dir_ + "/c"));
  lx.seccomp_json = text;
  ASSERT_TRUE(compile_seccomp_cached(lx, dir_ + "/c"));
  EXPECT_TRUE(same(*compile_seccomp_cached(lx, dir_ + "/c"), first));
}

TEST(SeccompProfileKey, IgnoresLayoutNotContent) {
  // The compiled-filter cache is keyed by it: the same profile written differently must give the
  // same text, a different profile a different one.
  auto key = [](const char* json) { return seccomp_profile_key(*oci::parse_spec(json).linux.seccomp); };
  const auto a = key(R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"seccomp":{
    "defaultAction":"SCMP_ACT_ERRNO", "syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}}})");
  const auto b = key(R"({"linux":{"seccomp":{"syscalls":[{"action":"SCMP_ACT_ALLOW","names":["read"]}],
    "defaultAction":"SCMP_ACT_ERRNO"}},"root":{"path":"r"},"ociVersion":"1.0.2"})");
  EXPECT_EQ(a, b);
  for (const char* other : {
           R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"seccomp":{
             "defaultAction":"SCMP_ACT_ERRNO", "syscalls":[{"names":["write"],"action":"SCMP_ACT_ALLOW"}]}}})",
           R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"seccomp":{
             "defaultAction":"SCMP_ACT_ERRNO", "defaultErrnoRet":38, "syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}}})",
           R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"seccomp":{
             "defaultAction":"SCMP_ACT_ERRNO", "syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW",
             "args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}}})",
           // Two names, not one with a comma in it: the fields are length-prefixed.
           R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"seccomp":{
             "defaultAction":"SCMP_ACT_ERRNO", "syscalls":[{"names":["re","ad"],"action":"SCMP_ACT_ALLOW"}]}}})"})
    EXPECT_NE(a, key(other)) << other;
}

}  // namespace
}  // namespace roost
