#include "util/fd_passing.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace {

// The number of open descriptors of this process below 1024.
int open_fds() {
  int n = 0;
  for (int fd = 0; fd < 1024; ++fd) n += ::fcntl(fd, F_GETFD) >= 0;
  return n;
}

// Sends `count` descriptors (copies of stdin's) with one byte in one message.
void send_fds(int sock, int count) {
  int fds[4];
  for (int i = 0; i < count; ++i) fds[i] = ::dup(0);
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)] = {};
  char byte = 'x';
  iovec iov{&byte, 1};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE(count * sizeof(int));
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(count * sizeof(int));
  std::memcpy(CMSG_DATA(c), fds, count * sizeof(int));
  ASSERT_EQ(::sendmsg(sock, &msg, 0), 1) << std::strerror(errno);
  for (int i = 0; i < count; ++i) ::close(fds[i]);
}

}  // namespace

// A SEQPACKET pair to pass descriptors over, and a pipe whose write end is the one passed.
class FdPassing : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair_), 0);
    ASSERT_EQ(::pipe(pipe_), 0);
  }
  void TearDown() override {
    for (int fd : {pair_[0], pair_[1], pipe_[0], pipe_[1]}) ::close(fd);
  }
  int pair_[2] = {-1, -1};
  int pipe_[2] = {-1, -1};
};

TEST_F(FdPassing, OneDescriptorArrivesCloseOnExec) {
  ASSERT_EQ(roost::send_with_fd(pair_[0], "S", 1, pipe_[1]), 1);
  roost::UniqueFd got;
  char buf[8];
  ASSERT_EQ(roost::receive_with_fd(pair_[1], buf, sizeof buf, got), 1);
  ASSERT_TRUE(got);
  EXPECT_TRUE(::fcntl(got.get(), F_GETFD) & FD_CLOEXEC);
  ASSERT_EQ(::write(got.get(), "k", 1), 1);  // the same pipe
  char c = 0;
  ASSERT_EQ(::read(pipe_[0], &c, 1), 1);
  EXPECT_EQ(c, 'k');
}

TEST_F(FdPassing, MoreThanOneDescriptorIsAnErrorAndNoneIsLeftOpen) {
  const int before = open_fds();
  send_fds(pair_[0], 2);
  roost::UniqueFd got;
  char buf[8];
  EXPECT_EQ(roost::receive_with_fd(pair_[1], buf, sizeof buf, got), -1);
  EXPECT_EQ(errno, EBADMSG);
  EXPECT_FALSE(got);
  EXPECT_EQ(open_fds(), before);
}

TEST_F(FdPassing, ACutMessageIsAnError) {
  ASSERT_EQ(roost::send_with_fd(pair_[0], "longer than the buffer", 22, pipe_[1]), 22);
  const int before = open_fds();
  roost::UniqueFd got;
  char buf[4];
  EXPECT_EQ(roost::receive_with_fd(pair_[1], buf, sizeof buf, got), -1);
  EXPECT_EQ(errno, EMSGSIZE);
  EXPECT_FALSE(got);
  EXPECT_EQ(open_fds(), before);
}
