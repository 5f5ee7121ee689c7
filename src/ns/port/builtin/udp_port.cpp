#include <sys/socket.h>
#include <sys/timerfd.h>

#include <algorithm>
#include <cerrno>

#include "ns/port/builtin/published_port.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace roost::ns::builtin {
namespace {

constexpr size_t kMaxDatagram = 65535;
constexpr size_t kMaxQueued = 128;  // datagrams held per flow while its socket is being opened

std::string key_of(const SocketAddress& a) {
  return std::string(reinterpret_cast<const char*>(&a.storage), a.length);
}

UniqueFd periodic_timer(std::chrono::milliseconds period) {
  UniqueFd fd(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!fd) throw_errno("timerfd_create for UDP flows");
  itimerspec spec{};
  spec.it_interval.tv_sec = period.count() / 1000;
  spec.it_interval.tv_nsec = (period.count() % 1000) * 1000000;
  spec.it_value = spec.it_interval;
  if (timerfd_settime(fd.get(), 0, &spec, nullptr) != 0) throw_errno("timerfd_settime for UDP flows");
  return fd;
}

}  // namespace

UdpPort::UdpPort(EventLoop& loop, ChildChannel& child, UniqueFd listener, ForwardTarget target,
                 std::chrono::milliseconds idle_timeout)
    : loop_(loop),
      child_(child),
      listener_(std::move(listener)),
      target_(std::move(target)),
      idle_timeout_(idle_timeout),
      buffer_(kMaxDatagram) {
  // Checked four times per timeout: a flow lives between 1 and 1.25 timeouts after its last use.
  timer_ = periodic_timer(std::max(idle_timeout_ / 4, std::chrono::milliseconds(10)));
  loop_.add(listener_.get(), EPOLLIN, [this](uint32_t) { on_datagrams(); });
  loop_.add(timer_.get(), EPOLLIN, [this](uint32_t) { expire_idle(); });
}

UdpPort::~UdpPort() {
  loop_.remove(listener_.get());
  loop_.remove(timer_.get());
  for (auto& [key, flow] : flows_) {
    if (flow.inside) loop_.remove(flow.inside.get());
    else child_.cancel(flow.sequence);
  }
}

void UdpPort::on_datagrams() {
  for (;;) {
    SocketAddress client;
    client.length = sizeof client.storage;
    ssize_t n = ::recvfrom(listener_.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT, client.get(),
                           &client.length);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // EAGAIN, or an error report queued on the socket, already taken by this call
    }
    to_flow(client, buffer_.data(), size_t(n));
  }
}

void UdpPort::to_flow(const SocketAddress& client, const char* data, size_t size) {
  std::string key = key_of(client);
  auto it = flows_.find(key);
  if (it != flows_.end()) {
    Flow& flow = it->second;
    flow.last_active = std::chrono::steady_clock::now();
    if (flow.inside)
      ::send(flow.inside.get(), data, size, MSG_DONTWAIT);  // a full queue drops it, as UDP may
    else if (flow.queued.size() < kMaxQueued)
      flow.queued.emplace_back(data, size);
    return;
  }
  Flow& flow = flows_[key];
  flow.client = client;
  flow.last_active = std::chrono::steady_clock::now();
  flow.queued.emplace_back(data, size);
  flow.sequence = child_.next_sequence();
  std::optional<SocketAddress> source = target_.source_for(client);
  bool transparent = source && ForwardTarget::needs_transparency(*source);
  uint32_t sequence = flow.sequence;
  child_.request(SOCK_DGRAM, target_.address, source ? &*source : nullptr, transparent,
                 [this, key, sequence](UniqueFd inside, const std::string& error) {
                   if (!error.empty()) log::debug("builtin port driver: " + error);
                   on_flow_socket(key, sequence, std::move(inside));
                 });
}

void UdpPort::on_flow_socket(const std::string& key, uint32_t sequence, UniqueFd inside) {
  auto it = flows_.find(key);
  if (it == flows_.end() || it->second.sequence != sequence || it->second.inside) return;
  if (!inside) return close_flow(key);
  Flow& flow = it->second;
  flow.inside = std::move(inside);
  loop_.add(flow.inside.get(), EPOLLIN, [this, key](uint32_t) { on_replies(key); });
  for (const std::string& datagram : flow.queued) ::send(flow.inside.get(), datagram.data(), datagram.size(), MSG_DONTWAIT);
  flow.queued.clear();
}

// The server's answers go back to the client from the listening socket, so they come from the
// address the client sent to.
void UdpPort::on_replies(const std::string& key) {
  auto it = flows_.find(key);
  if (it == flows_.end()) return;
  Flow& flow = it->second;
  for (;;) {
    ssize_t n = ::recv(flow.inside.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == ECONNREFUSED)) continue;  // ICMP: nobody listens yet
    if (n < 0) return;
    flow.last_active = std::chrono::steady_clock::now();
    ::sendto(listener_.get(), buffer_.data(), size_t(n), MSG_DONTWAIT, flow.client.get(), flow.client.length);
  }
}

void UdpPort::expire_idle() {
  uint64_t ticks;
  if (::read(timer_.get(), &ticks, sizeof ticks) < 0) return;
  auto now = std::chrono::steady_clock::now();
  std::vector<std::string> idle;
  for (auto& [key, flow] : flows_)
    if (now - flow.last_active >= idle_timeout_) idle.push_back(key);
  for (const std::string& key : idle) close_flow(key);
}

void UdpPort::close_flow(const std::string& key) {
  auto it = flows_.find(key);
  if (it == flows_.end()) return;
  if (it->second.inside) loop_.remove(it->second.inside.get());
  else child_.cancel(it->second.sequence);
  flows_.erase(it);
}

}  // namespace roost::ns::builtin
