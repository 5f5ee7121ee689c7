#include "container/sync_channel.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.hpp"

namespace {

using roost::SyncChannel;
using roost::SyncMsg;

TEST(SyncChannel, MessageAndPayloadArriveAsSent) {
  auto [runtime, init] = SyncChannel::pair();
  init.send(SyncMsg::Pid, "1234");
  auto msg = runtime.receive();
  EXPECT_EQ(msg.type, SyncMsg::Pid);
  EXPECT_EQ(msg.payload, "1234");
  EXPECT_FALSE(msg.fd);
  runtime.send(SyncMsg::MapsDone);
  EXPECT_EQ(init.expect(SyncMsg::MapsDone), "");
}

TEST(SyncChannel, ExpectTurnsAnErrorMessageIntoItsText) {
  auto [runtime, init] = SyncChannel::pair();
  init.send(SyncMsg::Error, "mount proc on /proc: EPERM");
  try {
    runtime.expect(SyncMsg::Ready);
    FAIL() << "no error";
  } catch (const roost::Error& e) {
    EXPECT_STREQ(e.what(), "mount proc on /proc: EPERM");
  }
}

TEST(SyncChannel, ExpectRefusesAnotherMessage) {
  auto [runtime, init] = SyncChannel::pair();
  init.send(SyncMsg::Hooks);
  EXPECT_THROW(runtime.expect(SyncMsg::Ready), roost::Error);
}

TEST(SyncChannel, ClosedPeerIsEofOrAnError) {
  auto [runtime, init] = SyncChannel::pair();
  EXPECT_TRUE(init.is_open());
  init.close();
  EXPECT_FALSE(init.is_open());
  EXPECT_FALSE(runtime.receive_or_eof().has_value());
  EXPECT_THROW(runtime.receive(), roost::Error);
}

TEST(SyncChannel, SendFdPassesTheDescriptor) {
  auto [runtime, init] = SyncChannel::pair();
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  init.send_fd(SyncMsg::Seccomp, pipe_fds[0]);
  auto msg = runtime.receive();
  EXPECT_EQ(msg.type, SyncMsg::Seccomp);
  ASSERT_TRUE(msg.fd);
  struct stat a, b;
  ASSERT_EQ(::fstat(msg.fd.get(), &a), 0);
  ASSERT_EQ(::fstat(pipe_fds[0], &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

}  // namespace
