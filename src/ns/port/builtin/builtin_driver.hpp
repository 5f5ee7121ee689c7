// The builtin port driver's parent half: one listener per published port in the host
// namespaces; each connection (TCP) or client (UDP) gets a socket connected inside by the
// child half, carrying the client's address where it can.
#pragma once

#include <map>
#include <memory>

#include "ns/port/builtin/child_channel.hpp"
#include "ns/port/builtin/published_port.hpp"
#include "ns/port/port_driver.hpp"

namespace roost::ns::builtin {

class BuiltinDriver : public PortDriver {
 public:
  BuiltinDriver(const PortDriverOptions& options, EventLoop& loop, UniqueFd child_channel);
  ~BuiltinDriver() override;
  std::string name() const override { return "builtin"; }
  std::vector<std::string> protos() const override { return {"tcp", "tcp4", "tcp6", "udp", "udp4", "udp6"}; }
  void add(int id, const PortSpec& spec) override;
  void remove(int id) override;

 private:
  PortDriverOptions options_;
  EventLoop& loop_;
  ChildChannel child_;
  std::map<int, std::unique_ptr<PublishedPort>> ports_;
};

}  // namespace roost::ns::builtin
