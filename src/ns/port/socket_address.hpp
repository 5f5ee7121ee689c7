// An IPv4 or IPv6 socket address as the port drivers pass it around: built from rootlesskit's
// text fields, printed as Go prints "host:port", and classified (loopback, mapped IPv4).
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>

namespace roost::ns {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  // `ip` IPv4 or IPv6 text; nullopt when it is neither.
  static std::optional<SocketAddress> from(const std::string& ip, int port);
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
  int port() const;
  std::string ip() const;
  // "127.0.0.1:80", "[::1]:80", as Go's net.JoinHostPort.
  std::string text() const;
  bool is_loopback() const;
  // ::ffff:a.b.c.d as a.b.c.d (what a dual-stack socket reports for an IPv4 peer); others as is.
  SocketAddress unmapped() const;
  bool operator==(const SocketAddress& other) const;
};

// Go's net.JoinHostPort: brackets around a host holding a ':'.
std::string join_host_port(const std::string& host, int port);

}  // namespace roost::ns
