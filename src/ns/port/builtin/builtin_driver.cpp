#include "ns/port/builtin/builtin_driver.hpp"

#include <errno.h>

#include <string_view>

#include "ns/port/go_format.hpp"
#include "ns/port/listener.hpp"
#include "util/error.hpp"

namespace roost::ns::builtin {

BuiltinDriver::BuiltinDriver(const PortDriverOptions& options, EventLoop& loop, UniqueFd child_channel)
    : options_(options), loop_(loop), child_(loop, std::move(child_channel)) {}

BuiltinDriver::~BuiltinDriver() { ports_.clear(); }

void BuiltinDriver::add(int id, const PortSpec& spec) {
  if (ports_.count(id)) throw Error("port id " + std::to_string(id) + " is in use");
  bool tcp = spec.proto.starts_with("tcp");
  if (!tcp && !spec.proto.starts_with("udp"))
    throw Error("builtin port driver does not support proto " + go::quote(spec.proto) +
                " (supported: tcp, tcp4, tcp6, udp, udp4, udp6)");
  // glibc's program_invocation_short_name is argv[0]'s basename, as Go's os.Args[0] check.
  bool as_rootlesskit = options_.called_as_rootlesskit.value_or(
      std::string_view(program_invocation_short_name) == "rootlesskit");
  ListenerOptions listener_options{as_rootlesskit};
  UniqueFd listener = open_listener(spec, tcp ? SOCK_STREAM : SOCK_DGRAM, listener_options);
  ForwardTarget target = ForwardTarget::of(spec, options_.source_ip_transparent);
  if (tcp) {
    ports_[id] = std::make_unique<TcpPort>(loop_, child_, std::move(listener), target);
  } else {
    auto idle = std::chrono::milliseconds(options_.udp_idle_timeout_ms);
    ports_[id] = std::make_unique<UdpPort>(loop_, child_, std::move(listener), target, idle);
  }
}

void BuiltinDriver::remove(int id) {
  if (ports_.erase(id) == 0) throw Error("unknown id: " + std::to_string(id));
}

}  // namespace roost::ns::builtin
