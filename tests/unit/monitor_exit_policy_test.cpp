// What the end of a container's init means (monitor/exit_policy).
#include "monitor/exit_policy.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

using namespace roost::monitor;

TEST(MonitorExitPolicy, ExitCodesAsPodmanReportsThem) {
  EXPECT_EQ(exit_code_from_wait_status(0), 0);
  EXPECT_EQ(exit_code_from_wait_status(3 << 8), 3);
  EXPECT_EQ(exit_code_from_wait_status(SIGKILL), 137);
  EXPECT_EQ(exit_code_from_wait_status(SIGTERM), 143);
}

TEST(MonitorExitPolicy, ExitCodeOfARealChild) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    raise(SIGTERM);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(exit_code_from_wait_status(status), 143);
}

TEST(MonitorExitPolicy, OomKillCountFromMemoryEvents) {
  EXPECT_EQ(parse_oom_kill_count("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n"), 1u);
  EXPECT_EQ(parse_oom_kill_count("low 0\noom 0\n"), std::nullopt);
  EXPECT_EQ(read_oom_kill_count(""), std::nullopt);
  EXPECT_EQ(read_oom_kill_count("/nonexistent"), std::nullopt);
}

TEST(MonitorExitPolicy, TheContainersOwnCgroupOnly) {
  const std::string monitor = "12:pids:/user.slice\n0::/user.slice/user-1001.slice/session-3.scope\n";
  // The runtime made one: its OOM kills are the container's.
  EXPECT_EQ(own_cgroup_dir("0::/user.slice/user-1001.slice/session-3.scope/roost-abc\n", monitor, "/sys/fs/cgroup"),
            "/sys/fs/cgroup/user.slice/user-1001.slice/session-3.scope/roost-abc");
  EXPECT_EQ(own_cgroup_dir("1:name=systemd:/x\n0::/roost/abc\n", monitor, "/sys/fs/cgroup/unified"),
            "/sys/fs/cgroup/unified/roost/abc");
  // Left in the monitor's (no delegation): the session's OOM kills are anyone's.
  EXPECT_EQ(own_cgroup_dir("0::/user.slice/user-1001.slice/session-3.scope\n", monitor, "/sys/fs/cgroup"), "");
  // No v2 line, the root, no v2 mount, a cgroup that is gone.
  EXPECT_EQ(own_cgroup_dir("12:pids:/x\n", monitor, "/sys/fs/cgroup"), "");
  EXPECT_EQ(own_cgroup_dir("0::/\n", monitor, "/sys/fs/cgroup"), "");
  EXPECT_EQ(own_cgroup_dir("0::/roost/abc\n", monitor, ""), "");
  EXPECT_EQ(own_cgroup_dir("0::/roost/abc (deleted)\n", monitor, "/sys/fs/cgroup"), "");
  // A live process in this process's own cgroup has none of its own.
  EXPECT_EQ(container_cgroup_dir(::getpid()), "");
}

TEST(MonitorExitPolicy, RestartPolicies) {
  roost::ctr::RestartPolicy no, always{"always", 0}, unless{"unless-stopped", 0}, failure{"on-failure", 0},
      failure2{"on-failure", 2};
  EXPECT_FALSE(should_restart(no, 1, 0, false));
  EXPECT_TRUE(should_restart(always, 0, 100, false));
  EXPECT_FALSE(should_restart(always, 0, 0, true));
  EXPECT_TRUE(should_restart(unless, 1, 0, false));
  EXPECT_FALSE(should_restart(unless, 1, 0, true));
  EXPECT_FALSE(should_restart(failure, 0, 0, false));
  EXPECT_TRUE(should_restart(failure, 1, 50, false));
  EXPECT_TRUE(should_restart(failure2, 1, 1, false));
  EXPECT_FALSE(should_restart(failure2, 1, 2, false));
  EXPECT_FALSE(should_restart(failure2, 137, 0, true));
}

TEST(MonitorExitPolicy, RestartBackOffDoublesUpToTenSeconds) {
  EXPECT_EQ(restart_delay_ms(0), 100);
  EXPECT_EQ(restart_delay_ms(1), 200);
  EXPECT_EQ(restart_delay_ms(6), 6400);
  EXPECT_EQ(restart_delay_ms(7), 10000);
  EXPECT_EQ(restart_delay_ms(1000), 10000);
}

TEST(MonitorExitPolicy, StartTimeNamesALiveProcess) {
  EXPECT_GT(process_start_time(getpid()), 0u);
  EXPECT_EQ(process_start_time(getpid()), process_start_time(getpid()));
  EXPECT_EQ(process_start_time(0x3fffffff), 0u);
}
