#include <gtest/gtest.h>

#include <csignal>

#include "sys/signals.hpp"
#include "util/error.hpp"

using roost::parse_signal;

TEST(Signals, AcceptsNamesWithAndWithoutSigAndNumbers) {
  EXPECT_EQ(parse_signal("KILL"), SIGKILL);
  EXPECT_EQ(parse_signal("SIGKILL"), SIGKILL);
  EXPECT_EQ(parse_signal("sigterm"), SIGTERM);
  EXPECT_EQ(parse_signal("9"), 9);
  EXPECT_EQ(parse_signal("HUP"), SIGHUP);
  EXPECT_EQ(parse_signal("SIGWINCH"), SIGWINCH);
}

TEST(Signals, AcceptsRealTimeSignals) {
  EXPECT_EQ(parse_signal("RTMIN"), SIGRTMIN);
  EXPECT_EQ(parse_signal("SIGRTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(parse_signal("RTMAX-1"), SIGRTMAX - 1);
}

TEST(Signals, RejectsUnknownNamesAndNumbers) {
  EXPECT_THROW(parse_signal("FOO"), roost::Error);
  EXPECT_THROW(parse_signal("0"), roost::Error);
  EXPECT_THROW(parse_signal("999"), roost::Error);
  EXPECT_THROW(parse_signal(""), roost::Error);
  EXPECT_THROW(parse_signal("RTMIN+100"), roost::Error);
}
