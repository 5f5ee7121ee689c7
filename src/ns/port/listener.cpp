#include "ns/port/listener.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

#include "ns/port/go_format.hpp"
#include "ns/port/socket_address.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::ns {
namespace {

struct ListenAddress {
  SocketAddress address;
  bool v6only = false;
  std::string text;  // as Go prints the resolved address in its errors
};

bool is_wildcard(const SocketAddress& a) {
  return a.ip() == "0.0.0.0" || a.ip() == "::";
}

// Go's choice of family: "tcp4"/"tcp6" force one; plain "tcp" on a wildcard (or no) address
// listens on both through one IPv6 socket with IPV6_V6ONLY off.
ListenAddress resolve(const PortSpec& spec, const std::string& network) {
  char suffix = network.back();
  std::string host = spec.parent_ip;
  std::optional<SocketAddress> given;
  if (!host.empty()) given = SocketAddress::from(host, spec.parent_port);
  // validate_port_spec has accepted the address; a mapped IPv4 address counts as IPv4, as in Go.
  bool v4 = given && given->unmapped().family() == AF_INET;
  if ((suffix == '4' && given && !v4) || (suffix == '6' && given && v4)) {
    std::string what = "address " + host + ": no suitable address found";
    throw Error(network.starts_with("tcp") ? "listen " + network + ": " + what : what);
  }
  ListenAddress out;
  out.text = host.empty() ? ":" + std::to_string(spec.parent_port)
                          : join_host_port(given->unmapped().ip(), spec.parent_port);
  if (given && !(is_wildcard(*given) && suffix != '4' && suffix != '6')) {
    out.address = v4 ? given->unmapped() : *given;
    out.v6only = !v4;
    return out;
  }
  bool v4_only = suffix == '4';
  out.address = *SocketAddress::from(v4_only ? "0.0.0.0" : "::", spec.parent_port);
  out.v6only = suffix == '6';
  return out;
}

int unprivileged_port_start() {
  return static_cast<int>(read_integer_file("/proc/sys/net/ipv4/ip_unprivileged_port_start").value_or(-1));
}

}  // namespace

std::string privileged_port_advice(int port, bool called_as_rootlesskit) {
  int start = unprivileged_port_start();
  if (start < 0 || port >= start) return "";
  std::string p = std::to_string(port), s = std::to_string(start);
  std::string text = "cannot expose privileged port " + p + ", you can add 'net.ipv4.ip_unprivileged_port_start=" +
                     p + "' to /etc/sysctl.conf (currently " + s + ")";
  if (called_as_rootlesskit) text += ", or set CAP_NET_BIND_SERVICE on rootlesskit binary";
  return text + ", or choose a larger port number (>= " + s + ")";
}

UniqueFd open_listener(const PortSpec& spec, int socket_type, const ListenerOptions& options) {
  std::string network = spec.proto;
  ListenAddress where = resolve(spec, network);
  std::string prefix = "listen " + network + " " + where.text + ": ";
  UniqueFd fd(::socket(where.address.family(), socket_type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) throw Error(prefix + "socket: " + go::errno_text(errno));
  int one = 1, v6only = where.v6only;
  if (where.address.family() == AF_INET6)
    setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  if (socket_type == SOCK_STREAM) setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), where.address.get(), where.address.length) != 0) {
    int err = errno;
    std::string message = prefix + "bind: " + go::errno_text(err);
    std::string advice = (err == EACCES || err == EPERM)
                             ? privileged_port_advice(spec.parent_port, options.called_as_rootlesskit)
                             : "";
    throw Error(advice.empty() ? message : advice + ": " + message);
  }
  if (socket_type == SOCK_STREAM && ::listen(fd.get(), SOMAXCONN) != 0)
    throw Error(prefix + "listen: " + go::errno_text(errno));
  return fd;
}

}  // namespace roost::ns
