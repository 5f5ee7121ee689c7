#include "ns/port/slirp4netns_port_driver.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "ns/port/go_format.hpp"
#include "util/error.hpp"

namespace roost::ns {
namespace {

using nlohmann::json;

// Go's %+v of a map[string]interface{}: "map[desc:bad request: ...]", keys sorted.
std::string go_map_text(const json& object) {
  std::string out = "map[";
  bool first = true;
  for (auto& [key, value] : object.items()) {  // nlohmann keeps keys sorted
    if (!first) out += " ";
    first = false;
    out += key + ":" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out + "]";
}

// One request on a fresh connection: write, shut down for writing, read the whole answer.
json call_api(const std::string& socket_path, const json& request) {
  std::string prefix = "dial unix " + socket_path + ": ";
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) throw Error(prefix + "path too long");
  std::strcpy(addr.sun_path, socket_path.c_str());
  if (!fd || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw Error(prefix + "connect: " + go::errno_text(errno));
  std::string text = request.dump() + "\n";
  for (size_t sent = 0; sent < text.size();) {
    ssize_t n = ::send(fd.get(), text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("slirp4netns API: write: " + go::errno_text(errno));
    sent += size_t(n);
  }
  ::shutdown(fd.get(), SHUT_WR);
  std::string answer;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("slirp4netns API: read: " + go::errno_text(errno));
    if (n == 0) break;
    answer.append(buf, size_t(n));
  }
  json reply = json::parse(answer, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) throw Error("slirp4netns API: unexpected reply: " + answer);
  if (reply.contains("error") && !reply["error"].empty()) throw Error("reply.Error: " + go_map_text(reply["error"]));
  return reply;
}

// The guest address: the spec's child IP (IPv4 only) or the network driver's child address.
std::string guest_address(const PortSpec& spec, const std::string& default_ip) {
  if (spec.child_ip.empty()) return default_ip;
  in6_addr v6;
  in_addr v4;
  if (inet_pton(AF_INET, spec.child_ip.c_str(), &v4) == 1) return spec.child_ip;
  if (inet_pton(AF_INET6, spec.child_ip.c_str(), &v6) != 1) throw Error("invalid IP: " + go::quote(spec.child_ip));
  if (!IN6_IS_ADDR_V4MAPPED(&v6)) throw Error("unsupported IP (v6?): " + spec.child_ip);
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &v6.s6_addr[12], text, sizeof text);
  return text;
}

}  // namespace

Slirp4netnsPortDriver::Slirp4netnsPortDriver(const PortDriverOptions& options)
    : api_socket_(options.slirp4netns_api_socket), child_ip_(options.child_ip) {
  if (api_socket_.empty()) throw Error("api socket path is not set");
}

void Slirp4netnsPortDriver::add(int id, const PortSpec& spec) {
  if (spec.proto.ends_with("6")) throw Error("unsupported protocol " + go::quote(spec.proto));
  std::string proto = spec.proto.ends_with("4") ? spec.proto.substr(0, spec.proto.size() - 1) : spec.proto;
  json request = {{"execute", "add_hostfwd"},
                  {"arguments",
                   {{"proto", proto},
                    {"host_addr", spec.parent_ip},
                    {"host_port", spec.parent_port},
                    {"guest_addr", guest_address(spec, child_ip_)},
                    {"guest_port", spec.child_port}}}};
  json reply = call_api(api_socket_, request);
  const json* hostfwd = reply.contains("return") ? &reply["return"] : nullptr;
  if (!hostfwd || !hostfwd->contains("id") || !(*hostfwd)["id"].is_number())
    throw Error("unexpected reply: " + reply.dump());
  hostfwd_ids_[id] = (*hostfwd)["id"].get<long long>();
}

void Slirp4netnsPortDriver::remove(int id) {
  auto it = hostfwd_ids_.find(id);
  if (it == hostfwd_ids_.end()) throw Error("unknown id: " + std::to_string(id));
  call_api(api_socket_, {{"execute", "remove_hostfwd"}, {"arguments", {{"id", it->second}}}});
  hostfwd_ids_.erase(it);
}

}  // namespace roost::ns
