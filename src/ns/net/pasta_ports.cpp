#include "ns/net/pasta_ports.hpp"

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::ns {
namespace {

std::string describe(const PortSpec& s) {
  return (s.parent_ip.empty() ? "" : s.parent_ip + ":") + std::to_string(s.parent_port) + ":" +
         (s.child_ip.empty() ? "" : s.child_ip + ":") + std::to_string(s.child_port) + "/" + s.proto;
}

// pasta binds every address of both families when none is given; tcp4/tcp6 name one family.
std::string bind_address(const PortSpec& s) {
  if (!s.parent_ip.empty()) return s.parent_ip;
  if (s.proto.back() == '4') return "0.0.0.0";
  if (s.proto.back() == '6') return "::";
  return {};
}

std::string pasta_spec(const PortSpec& s) {
  std::string address = bind_address(s);
  std::string spec = (address.empty() ? "" : address + "/") + std::to_string(s.parent_port);
  if (s.child_port != s.parent_port) spec += ":" + std::to_string(s.child_port);
  return spec;
}

}  // namespace

std::vector<std::string> pasta_port_arguments(const std::vector<PortSpec>& specs) {
  std::vector<std::string> args;
  for (const PortSpec& s : specs) {
    if (starts_with(s.proto, "sctp"))
      throw Error("cannot publish " + describe(s) + ": pasta 2023-03-09 does not forward SCTP");
    if (!s.child_ip.empty())
      throw Error("cannot publish " + describe(s) +
                  ": pasta 2023-03-09 cannot forward to a chosen child address; leave the child IP out");
    if (!starts_with(s.proto, "tcp") && !starts_with(s.proto, "udp"))
      throw Error("cannot publish " + describe(s) + ": unknown protocol " + s.proto);
    args.push_back(starts_with(s.proto, "tcp") ? "-t" : "-u");
    args.push_back(pasta_spec(s));
  }
  return args;
}

}  // namespace roost::ns
