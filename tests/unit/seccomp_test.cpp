#include <gtest/gtest.h>

#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "sys/seccomp.hpp"
#include "util/error.hpp"
#include "util/fd_passing.hpp"

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
  auto p = profile("SCMP_ACT_ERRNO", rules);
  p.listener_path = "/run/agent.sock";  // for SCMP_ACT_NOTIFY
  EXPECT_NO_THROW(SeccompFilter::compile(p));
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

// compile() throws an error whose text contains `needle`.
static void expect_refused(const Seccomp& p, const std::string& needle) {
  try {
    SeccompFilter::compile(p);
    ADD_FAILURE() << "compiled; expected an error about " << needle;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

static Seccomp notify_profile(std::vector<std::string> names = {"mkdir", "mkdirat"}) {
  auto p = profile("SCMP_ACT_ALLOW", {{std::move(names), "SCMP_ACT_NOTIFY", std::nullopt, {}}});
  p.listener_path = "/run/agent.sock";
  return p;
}

TEST(SeccompNotify, NeedsAnAbsoluteListenerPath) {
  auto p = notify_profile();
  p.listener_path.clear();
  expect_refused(p, "listenerPath");
  p.listener_path = "agent.sock";
  expect_refused(p, "absolute");
}

TEST(SeccompNotify, MetadataWithoutListenerPathIsRefused) {
  auto p = profile("SCMP_ACT_ALLOW");
  p.listener_metadata = "x";
  expect_refused(p, "listenerMetadata");
  // Without SCMP_ACT_NOTIFY a listenerPath alone is ignored, as the runtime-spec says.
  p.listener_path = "/run/agent.sock";
  auto f = SeccompFilter::compile(p);
  EXPECT_FALSE(f.needs_listener());
}

TEST(SeccompNotify, NeitherTheDefaultActionNorForSendmsg) {
  auto p = notify_profile();
  p.default_action = "SCMP_ACT_NOTIFY";
  expect_refused(p, "default action");
  expect_refused(notify_profile({"mkdir", "sendmsg"}), "sendmsg");
}

TEST(SeccompNotify, AsksTheKernelForAListenerFd) {
  auto f = SeccompFilter::compile(notify_profile());
  EXPECT_TRUE(f.needs_listener());
  // The listener is a program of its own; the main one asks for no listener.
  EXPECT_EQ(f.listener_program().flags, unsigned{SECCOMP_FILTER_FLAG_NEW_LISTENER});
  EXPECT_EQ(f.main_program().flags, 0u);

  auto tsync = notify_profile();
  tsync.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  // TSYNC with a listener needs TSYNC_ESRCH; WAIT_KILLABLE_RECV is the listener's alone; the
  // others go with both programs (SPEC_ALLOW is lost if either filter goes in without it).
  const auto both = SeccompFilter::compile(tsync);
  EXPECT_EQ(both.listener_program().flags,
            unsigned{SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH |
                     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_SPEC_ALLOW});
  EXPECT_EQ(both.main_program().flags, unsigned{SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_SPEC_ALLOW});

  // A notify rule for names this architecture does not know asks for no listener.
  EXPECT_FALSE(SeccompFilter::compile(notify_profile({"no_such_syscall"})).needs_listener());
}

// The whole path in miniature, as the init and the runtime do it: a child loads the listener
// program (and, with `main`, the main program after it), passes the fd over a socket and runs
// `body`; the parent, as an agent would, answers the first notified call with EHOSTUNREACH.
namespace {

struct AgentRun {
  pid_t child = -1;
  seccomp_notif request{};  // the call the agent answered
  int exit_code = -1;       // the child's, or 200 + its signal
};

AgentRun run_with_agent(const SeccompFilter& filter, bool main, int (*body)()) {
  AgentRun run;
  int pair[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
  run.child = ::fork();
  if (run.child == 0) {
    ::close(pair[0]);
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    const int fd = filter.load_listener();
    if (fd < 0 || roost::send_with_fd(pair[1], "S", 1, fd) != 1) _exit(100);
    ::close(fd);
    if (main) filter.load();
    _exit(body());
  }
  ::close(pair[1]);
  roost::UniqueFd notify;
  char byte;
  EXPECT_EQ(roost::receive_with_fd(pair[0], &byte, 1, notify), 1);
  ::close(pair[0]);
  EXPECT_TRUE(notify);
  if (notify && ::ioctl(notify.get(), SECCOMP_IOCTL_NOTIF_RECV, &run.request) == 0) {
    seccomp_notif_resp resp{};
    resp.id = run.request.id;
    resp.error = -EHOSTUNREACH;
    EXPECT_EQ(::ioctl(notify.get(), SECCOMP_IOCTL_NOTIF_SEND, &resp), 0) << std::strerror(errno);
  } else {
    ADD_FAILURE() << "no notification: " << std::strerror(errno);
  }
  int status = 0;
  EXPECT_EQ(::waitpid(run.child, &status, 0), run.child);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
  return run;
}

}  // namespace

TEST(SeccompNotify, TheListenerFdAnswersTheNotifiedCall) {
  const auto run = run_with_agent(SeccompFilter::compile(notify_profile()), false, [] {
    const int rc = ::mkdir("/nonexistent-dir-for-the-seccomp-test/x", 0700);
    return rc < 0 && errno == EHOSTUNREACH ? 0 : 101;
  });
  EXPECT_EQ(static_cast<pid_t>(run.request.pid), run.child);
  EXPECT_EQ(run.exit_code, 0) << "100: no listener fd; 101: mkdir was not answered by the agent";
}

// The listener program goes in first and the main one last (as the init and exec do), and the pair
// answers as the one profile would: the notified call goes to the agent, an errno rule and the
// default action still apply.
TEST(SeccompNotify, TheTwoProgramsTogetherActAsTheProfile) {
  auto p = profile("SCMP_ACT_ERRNO");
  p.default_errno_ret = EXDEV;
  p.listener_path = "/run/agent.sock";
  // What the child needs to run, report and exit (under ASan too), allowed; mkdir notified; rmdir
  // refused; getppid left to the default.
  p.syscalls = {{{"read", "write", "close", "exit", "exit_group", "sendmsg", "recvmsg", "getpid", "gettid", "brk",
                  "mmap", "munmap", "mprotect", "madvise", "rt_sigreturn", "rt_sigprocmask", "rt_sigaction",
                  "sigaltstack", "futex", "tgkill", "sched_yield", "prctl", "getrandom", "openat", "fstat",
                  "newfstatat", "readlink", "readlinkat", "lseek", "pread64", "writev"},
                 "SCMP_ACT_ALLOW", std::nullopt, {}},
                {{"mkdir"}, "SCMP_ACT_NOTIFY", std::nullopt, {}},
                {{"rmdir"}, "SCMP_ACT_ERRNO", EPERM, {}}};
  const auto filter = SeccompFilter::compile(p);
  ASSERT_TRUE(filter.needs_listener());
  const auto run = run_with_agent(filter, true, [] {
    // Bits: 1 mkdir answered by the agent, 2 rmdir refused by its rule, 4 an unlisted call got the
    // default errno, 8 an allowed call ran.
    int result = 0;
    if (::mkdir("/nonexistent-dir-for-the-seccomp-test/x", 0700) < 0 && errno == EHOSTUNREACH) result |= 1;
    if (::rmdir("/nonexistent-dir-for-the-seccomp-test") < 0 && errno == EPERM) result |= 2;
    if (::syscall(SYS_getppid) < 0 && errno == EXDEV) result |= 4;
    if (::syscall(SYS_getpid) == ::syscall(SYS_getpid)) result |= 8;
    return result;
  });
  EXPECT_EQ(run.request.data.nr, SYS_mkdir);
  EXPECT_EQ(run.exit_code, 15) << "100: no listener fd; else bits 1 notify, 2 errno rule, 4 default, 8 allow";
}

// The main program of a notify profile allows what the profile notifies: loaded alone it asks
// nobody (the listener program is what notifies).
TEST(SeccompNotify, TheMainProgramAloneNeverNotifies) {
  const auto filter = SeccompFilter::compile(notify_profile());
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    filter.load();
    const int rc = ::mkdir("/nonexistent-dir-for-the-seccomp-test/x", 0700);
    _exit(rc < 0 && errno == ENOENT ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(Seccomp, ExportsABpfProgramAndMapsFlagsToSeccomp2) {
  auto p = profile("SCMP_ACT_ALLOW", {{{"mkdir"}, "SCMP_ACT_ERRNO", 1, {}}});
  p.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"};
  auto f = SeccompFilter::compile(p);
  EXPECT_GT(f.main_program().code.size(), 3u);
  EXPECT_EQ(f.main_program().flags, 1u | 2u | 4u);  // TSYNC | LOG | SPEC_ALLOW
  EXPECT_FALSE(f.needs_listener());
  EXPECT_TRUE(f.listener_program().empty());
}

TEST(Seccomp, SupportedFlagsAreTheOnesThisKernelKnows) {
  const auto flags = roost::seccomp_flags();
  auto has = [&](const std::string& f) { return std::find(flags.begin(), flags.end(), f) != flags.end(); };
  // Every kernel roost runs on (>= 5.2 for its mount API) knows these.
  EXPECT_TRUE(has("SECCOMP_FILTER_FLAG_TSYNC"));
  EXPECT_TRUE(has("SECCOMP_FILTER_FLAG_LOG"));
  EXPECT_TRUE(has("SECCOMP_FILTER_FLAG_SPEC_ALLOW"));
  // WAIT_KILLABLE_RECV came with Linux 5.19.
  struct utsname u;
  ASSERT_EQ(::uname(&u), 0);
  int major = 0, minor = 0;
  std::sscanf(u.release, "%d.%d", &major, &minor);
  EXPECT_EQ(has("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"), major > 5 || (major == 5 && minor >= 19)) << u.release;
}

TEST(Seccomp, AnErrnoForAnActionWithoutOneIsAnError) {
  expect_refused(profile("SCMP_ACT_ALLOW", {{{"mkdir"}, "SCMP_ACT_KILL_PROCESS", 1, {}}}), "only for SCMP_ACT_ERRNO");
  auto p = profile("SCMP_ACT_ALLOW");
  p.default_errno_ret = 38;
  expect_refused(p, "defaultAction");
  // The two that return one take it.
  p.default_action = "SCMP_ACT_ERRNO";
  EXPECT_NO_THROW(SeccompFilter::compile(p));
  EXPECT_NO_THROW(SeccompFilter::compile(profile("SCMP_ACT_ALLOW", {{{"mkdir"}, "SCMP_ACT_TRACE", 5, {}}})));
}

TEST(Seccomp, WaitKillableRecvNeedsANotifyListener) {
  auto p = profile("SCMP_ACT_ALLOW");
  p.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  expect_refused(p, "SCMP_ACT_NOTIFY");
}
