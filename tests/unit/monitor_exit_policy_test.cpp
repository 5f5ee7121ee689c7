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
