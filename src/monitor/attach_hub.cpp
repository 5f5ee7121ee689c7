// Attached clients: output frames out, stdin and resize frames in.
#include "monitor/attach_hub.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include <vector>

#include "util/file.hpp"

namespace roost::monitor {

namespace {

// Over this much queued for one client, the container's output waits.
constexpr size_t kBacklogLimit = 1 << 20;

long now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

}  // namespace

AttachHub::AttachHub(EventLoop& loop, AttachEvents events) : loop_(loop), events_(std::move(events)) {}

AttachHub::~AttachHub() {
  for (auto& [fd, client] : clients_) loop_.remove(fd);
}

void AttachHub::add(UniqueFd sock, bool wants_stdin) {
  const int fd = sock.get();
  set_nonblocking(fd);
  Client& client = clients_[fd];
  client.sock = std::move(sock);
  client.wants_stdin = wants_stdin;
  loop_.add(fd, EPOLLIN, [this, fd](uint32_t events) { on_event(fd, events); });
}

void AttachHub::output(FrameKind kind, std::string_view data) {
  if (clients_.empty() || data.empty()) return;
  const std::string frame = encode_frame(kind, data);
  std::vector<int> gone;
  for (auto& [fd, client] : clients_) {
    send(client, frame);
    if (!flush(client)) gone.push_back(fd);
  }
  for (int fd : gone) drop(fd);
  update_backlog();
}

void AttachHub::send(Client& client, std::string frame) {
  client.queued_bytes += frame.size();
  client.queue.push_back(std::move(frame));
}

bool AttachHub::flush(Client& client) {
  while (!client.queue.empty()) {
    const std::string& frame = client.queue.front();
    ssize_t n = ::send(client.sock.get(), frame.data(), frame.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) return false;
    client.queued_bytes -= frame.size();
    client.queue.pop_front();
  }
  if (loop_.watching(client.sock.get()))
    loop_.modify(client.sock.get(), client.queue.empty() ? EPOLLIN : EPOLLIN | EPOLLOUT);
  return true;
}

void AttachHub::on_event(int fd, uint32_t events) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  Client& client = it->second;
  if (events & EPOLLOUT) {
    if (!flush(client)) return drop(fd), update_backlog();
    update_backlog();
  }
  if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
  char buf[kMaxFrameSize];
  ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) return drop(fd), update_backlog();  // the client went: the container's stdin stays as it is
  on_message(client, std::string_view(buf, static_cast<size_t>(n)));
}

void AttachHub::on_message(Client& client, std::string_view message) {
  auto frame = decode_frame(message);
  if (!frame) return;
  switch (frame->kind) {
    case FrameKind::Stdin:
      if (client.wants_stdin && events_.stdin_data) events_.stdin_data(frame->payload);
      break;
    case FrameKind::StdinClosed:
      if (client.wants_stdin && events_.stdin_closed) events_.stdin_closed();
      break;
    case FrameKind::Resize:
      if (auto size = decode_resize_payload(frame->payload); size && events_.resize) events_.resize(*size);
      break;
    default:
      break;  // monitor-to-client kinds are not the client's to send
  }
}

void AttachHub::drop(int fd) {
  loop_.remove(fd);
  clients_.erase(fd);
}

void AttachHub::update_backlog() {
  bool backlogged = false;
  for (const auto& [fd, client] : clients_) backlogged = backlogged || client.queued_bytes > kBacklogLimit;
  if (backlogged == backlogged_) return;
  backlogged_ = backlogged;
  if (events_.backlog_changed) events_.backlog_changed(backlogged);
}

void AttachHub::finish(int exit_code, int timeout_ms) {
  const std::string frame = encode_frame(FrameKind::Exit, encode_exit_payload(exit_code));
  for (auto& [fd, client] : clients_) {
    loop_.remove(fd);
    send(client, frame);
  }
  const long deadline = now_ms() + timeout_ms;
  for (auto& [fd, client] : clients_) {
    while (!client.queue.empty() && flush(client)) {
      if (client.queue.empty()) break;
      pollfd pfd{fd, POLLOUT, 0};
      const long left = deadline - now_ms();
      if (left <= 0 || ::poll(&pfd, 1, static_cast<int>(left)) <= 0) break;
      if (pfd.revents & (POLLERR | POLLHUP)) break;
    }
  }
  // What a client sent that nobody read (a keystroke as the container ended) would turn the
  // close into a reset, which the client's kernel reports before the exit frame: read it first
  // (a bounded number of messages: a client that keeps sending cannot hold the monitor here).
  for (auto& [fd, client] : clients_) {
    char buf[kMaxFrameSize];
    for (int i = 0; i < 4096 && ::recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0; ++i) {
    }
  }
  clients_.clear();
  backlogged_ = false;
}

}  // namespace roost::monitor
