// The CVE-2019-5736 guard's question: could the container's ids write the runtime binary? Here for a
// container that shares the runtime's user namespace when that namespace is a nested one (an
// engine's, such as roost's pause process's), where fstat cannot tell an unmapped owner from
// the overflow id.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "container/exe_guard.hpp"

TEST(ExeGuard, NestedNamespaceRootCannotWriteAFileOfAnUnmappedOwner) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to map uid 65534 into a new user namespace";
  char dir_template[] = "/tmp/roost-exe-guard-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string mapped = dir + "/mapped";  // owned by 65534: root of the namespace
  {
    int fd = ::open(mapped.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
    ASSERT_GE(fd, 0);
    ::close(fd);
  }
  ASSERT_EQ(::chown(mapped.c_str(), 65534, 65534), 0);
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);

  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(go[1]);
    if (::unshare(CLONE_NEWUSER) != 0) ::_exit(90);
    char c;
    if (::read(go[0], &c, 1) != 1) ::_exit(91);
    if (::setresgid(0, 0, 0) != 0 || ::setresuid(0, 0, 0) != 0) ::_exit(92);
    roost::ContainerIds shared;
    shared.all = true;  // the container has no user namespace of its own
    const int root_owned = ::open("/bin/true", O_RDONLY | O_CLOEXEC);
    const int own = ::open(mapped.c_str(), O_RDONLY | O_CLOEXEC);
    if (root_owned < 0 || own < 0) ::_exit(93);
    int code = 0;
    if (roost::writable_by_container(root_owned, shared)) code |= 1;  // host root's: not writable
    if (!roost::writable_by_container(own, shared)) code |= 2;        // the namespace's root's: writable
    ::_exit(code);
  }
  ::close(go[0]);
  // Wait for the child's unshare (its uid_map appears writable), then map 0 -> 65534.
  const std::string proc = "/proc/" + std::to_string(child);
  bool mapped_ok = false;
  for (int i = 0; i < 500 && !mapped_ok; ++i) {
    char self_ns[64] = {}, child_ns[64] = {};
    (void)!::readlink("/proc/self/ns/user", self_ns, sizeof self_ns - 1);
    (void)!::readlink((proc + "/ns/user").c_str(), child_ns, sizeof child_ns - 1);
    if (std::string(self_ns) != child_ns) {
      FILE* setgroups = std::fopen((proc + "/setgroups").c_str(), "w");
      if (setgroups) std::fputs("deny", setgroups), std::fclose(setgroups);
      FILE* uid_map = std::fopen((proc + "/uid_map").c_str(), "w");
      FILE* gid_map = std::fopen((proc + "/gid_map").c_str(), "w");
      ASSERT_TRUE(uid_map && gid_map);
      std::fputs("0 65534 1\n", uid_map);
      std::fputs("0 65534 1\n", gid_map);
      mapped_ok = std::fclose(uid_map) == 0 && std::fclose(gid_map) == 0;
    } else {
      ::usleep(2000);
    }
  }
  ASSERT_TRUE(mapped_ok);
  ASSERT_EQ(::write(go[1], "x", 1), 1);
  ::close(go[1]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ::unlink(mapped.c_str());
  ::rmdir(dir.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: host root's /bin/true judged writable; 2: the namespace root's file judged not writable";
}
