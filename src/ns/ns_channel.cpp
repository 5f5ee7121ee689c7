#include "ns/ns_channel.hpp"

#include <sys/socket.h>

#include "util/error.hpp"

namespace roost::ns {

void NsChannel::send(const std::string& type, nlohmann::json fields) const {
  fields["type"] = type;
  const std::string text = fields.dump();
  ssize_t sent;
  while ((sent = ::send(fd_.get(), text.data(), text.size(), MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  if (sent < 0) throw_errno("send " + type + " message");
}

std::optional<nlohmann::json> NsChannel::receive() const {
  char buf[65536];
  ssize_t got;
  while ((got = ::recv(fd_.get(), buf, sizeof buf, 0)) < 0 && errno == EINTR) {
  }
  if (got < 0) {
    if (errno == ECONNRESET) return std::nullopt;
    throw_errno("receive a message");
  }
  if (got == 0) return std::nullopt;
  auto msg = nlohmann::json::parse(std::string(buf, static_cast<size_t>(got)), nullptr, false);
  if (!msg.is_object() || !msg.contains("type") || !msg["type"].is_string())
    throw Error("malformed message between roost ns's parent and child");
  return msg;
}

std::pair<UniqueFd, UniqueFd> seqpacket_pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0) throw_errno("socketpair");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace roost::ns
