// The default profile of `spec`: it compiles, it denies by default, and loaded into a child it
// lets ordinary syscalls through while refusing the dangerous ones with EPERM.
#include <gtest/gtest.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "oci/default_seccomp.hpp"
#include "oci/spec.hpp"
#include "sys/seccomp.hpp"

namespace {

roost::oci::Seccomp default_profile(roost::oci::KernelVersion k = roost::oci::running_kernel()) {
  nlohmann::json doc = {{"ociVersion", "1.0.2"}, {"root", {{"path", "r"}}}, {"linux", {{"seccomp", roost::oci::default_seccomp_profile(k)}}}};
  return *roost::oci::parse_spec(doc.dump()).linux.seccomp;
}

// Runs body in a child with the default profile loaded; returns what body returned (0..255).
int in_filtered_child(int (*body)()) {
  auto filter = roost::SeccompFilter::compile(default_profile());
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    filter.load();
    _exit(body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

// errno of a raw syscall that failed, or 0 if it succeeded.
int err(long rc) { return rc < 0 ? errno : 0; }

}  // namespace

TEST(DefaultSeccomp, IsDenyByDefaultWithEnosys) {
  auto p = default_profile();
  EXPECT_EQ(p.default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(p.default_errno_ret, 38u);
  std::set<std::string> allowed;
  for (const auto& r : p.syscalls)
    if (r.action == "SCMP_ACT_ALLOW" && r.args.empty()) allowed.insert(r.names.begin(), r.names.end());
  for (const char* dangerous : {"mount", "unshare", "setns", "keyctl", "add_key", "request_key", "bpf", "kexec_load",
                                "init_module", "finit_module", "perf_event_open", "open_by_handle_at", "userfaultfd",
                                "reboot", "swapon", "settimeofday", "clone", "clone3", "personality", "io_uring_setup"})
    EXPECT_EQ(allowed.count(dangerous), 0u) << dangerous;
  for (const char* ordinary : {"read", "write", "openat", "execve", "mmap", "futex", "getpid", "wait4"})
    EXPECT_EQ(allowed.count(ordinary), 1u) << ordinary;
}

TEST(DefaultSeccomp, NoSyscallIsBothAllowedAndDenied) {
  std::set<std::string> allowed, denied;
  for (const auto& r : default_profile().syscalls)
    for (const auto& n : r.names) (r.action == "SCMP_ACT_ALLOW" ? allowed : denied).insert(n);
  for (const auto& n : denied)
    if (n != "ioctl") {
      EXPECT_EQ(allowed.count(n), 0u) << n;
    }
}

TEST(DefaultSeccomp, CompilesForX86_64) {
  auto p = default_profile();
  EXPECT_NE(std::find(p.architectures.begin(), p.architectures.end(), "SCMP_ARCH_X86_64"), p.architectures.end());
  EXPECT_NO_THROW(roost::SeccompFilter::compile(p));
}

TEST(DefaultSeccomp, PtraceOnlyFromKernel4_8) {
  auto has_ptrace = [](roost::oci::KernelVersion k) {
    for (const auto& r : default_profile(k).syscalls)
      if (r.action == "SCMP_ACT_ALLOW" && std::find(r.names.begin(), r.names.end(), "ptrace") != r.names.end()) return true;
    return false;
  };
  EXPECT_FALSE(has_ptrace({4, 7}));
  EXPECT_TRUE(has_ptrace({4, 8}));
  EXPECT_TRUE(has_ptrace({6, 1}));
}

TEST(DefaultSeccomp, OrdinarySyscallsWork) {
  EXPECT_EQ(in_filtered_child([] {
              if (getpid() <= 0) return 1;
              if (personality(0xffffffff) < 0) return 2;
              pid_t c = fork();  // clone without namespace flags (or clone3 -> ENOSYS -> clone)
              if (c < 0) return 3;
              if (c == 0) _exit(0);
              int st;
              if (waitpid(c, &st, 0) != c) return 4;
              int fds[2];
              if (pipe(fds) < 0) return 5;
              int n = 0;
              if (ioctl(fds[0], FIONREAD, &n) < 0) return 6;  // ioctl in general is allowed
              return 0;
            }),
            0);
}

TEST(DefaultSeccomp, DangerousSyscallsFailWithEperm) {
  EXPECT_EQ(in_filtered_child([] {
              if (err(unshare(CLONE_NEWUSER)) != EPERM) return 1;
              if (err(syscall(SYS_keyctl, 0, 0, 0, 0, 0)) != EPERM) return 2;
              if (err(syscall(SYS_mount, "none", "/", "tmpfs", 0, nullptr)) != EPERM) return 3;
              if (err(syscall(SYS_bpf, 0, nullptr, 0)) != EPERM) return 4;
              if (err(syscall(SYS_userfaultfd, 0)) != EPERM) return 5;
              char c = 'x';
              if (err(ioctl(0, TIOCSTI, &c)) != EPERM) return 6;
              // High bits set in the request must not dodge the rule (the kernel reads 32 bits).
              if (err(syscall(SYS_ioctl, 0, 0x100000000UL | TIOCSTI, &c)) != EPERM) return 7;
              return 0;
            }),
            0);
}

TEST(DefaultSeccomp, UnlistedAndNamespaceClonesFailWithEnosys) {
  EXPECT_EQ(in_filtered_child([] {
              if (err(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)) != ENOSYS) return 1;
              if (err(syscall(SYS_clone3, nullptr, 0)) != ENOSYS) return 2;
              if (err(personality(0x0400000 /* READ_IMPLIES_EXEC */)) != ENOSYS) return 3;
              return 0;
            }),
            0);
}
