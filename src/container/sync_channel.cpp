#include "container/sync_channel.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "util/error.hpp"
#include "util/fd_passing.hpp"

namespace roost {

GateAfterFork::GateAfterFork() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) throw_errno("pipe");
  read_end_ = fds[0];
  write_end_ = fds[1];
}

GateAfterFork::~GateAfterFork() {
  if (read_end_ >= 0) ::close(read_end_);
  if (write_end_ >= 0) ::close(write_end_);
}

void GateAfterFork::wait_for_parent_exit() {
  ::close(write_end_);
  write_end_ = -1;
  // Nobody writes: read returns 0 once the parent's copy of the write end is gone.
  char byte;
  while (::read(read_end_, &byte, 1) < 0 && errno == EINTR) {
  }
  ::close(read_end_);
  read_end_ = -1;
}

std::pair<SyncChannel, SyncChannel> SyncChannel::pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0) throw_errno("socketpair");
  return {SyncChannel(UniqueFd(fds[0])), SyncChannel(UniqueFd(fds[1]))};
}

void SyncChannel::send(SyncMsg type, const std::string& payload) const {
  std::string msg(1, static_cast<char>(type));
  msg += payload.substr(0, 8000);
  while (::send(fd_.get(), msg.data(), msg.size(), MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) throw_errno("sync with the container");
  }
}

void SyncChannel::send_fd(SyncMsg type, int passed) const {
  const char byte = static_cast<char>(type);
  if (send_with_fd(fd_.get(), &byte, 1, passed) < 0) throw_errno("sync with the container");
}

std::optional<SyncMessage> SyncChannel::receive_or_eof() const {
  char buf[8192];
  UniqueFd passed;
  const ssize_t n = receive_with_fd(fd_.get(), buf, sizeof buf, passed);
  if (n < 0) throw_errno("sync with the container");
  if (n == 0) return std::nullopt;
  return SyncMessage{static_cast<SyncMsg>(buf[0]), std::string(buf + 1, static_cast<size_t>(n - 1)), std::move(passed)};
}

SyncMessage SyncChannel::receive() const {
  auto msg = receive_or_eof();
  if (!msg) throw Error("the container's init exited during set-up");
  return std::move(*msg);
}

std::string SyncChannel::expect(SyncMsg type) const {
  SyncMessage msg = receive();
  if (msg.type == SyncMsg::Error) throw Error(msg.payload);
  if (msg.type != type) throw Error(std::string("unexpected message '") + static_cast<char>(msg.type) + "' from the container");
  return msg.payload;
}

}  // namespace roost
