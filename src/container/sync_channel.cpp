#include "container/sync_channel.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "util/error.hpp"

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

void sync_send(int fd, SyncMsg type, const std::string& payload) {
  std::string msg(1, static_cast<char>(type));
  msg += payload.substr(0, 8000);
  while (::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) throw_errno("sync with the container");
  }
}

std::pair<SyncMsg, std::string> sync_receive(int fd) {
  char buf[8192];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) < 0) {
    if (errno != EINTR) throw_errno("sync with the container");
  }
  if (n == 0) throw Error("the container's init exited during set-up");
  return {static_cast<SyncMsg>(buf[0]), std::string(buf + 1, static_cast<size_t>(n - 1))};
}

std::string sync_expect(int fd, SyncMsg type) {
  auto [got, payload] = sync_receive(fd);
  if (got == SyncMsg::Error) throw Error(payload);
  if (got != type) throw Error(std::string("unexpected message '") + static_cast<char>(got) + "' from the container");
  return payload;
}

}  // namespace roost
