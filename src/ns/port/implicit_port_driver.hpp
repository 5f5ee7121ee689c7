// The implicit port driver (with --net=pasta): pasta forwards the ports itself, given to it at
// its start. The -p specs of the command line are accepted (they are what pasta was started
// with); adding or removing ports afterwards is refused, since this pasta has no control socket.
#pragma once

#include "ns/port/port_driver.hpp"

namespace roost::ns {

class ImplicitPortDriver : public PortDriver {
 public:
  explicit ImplicitPortDriver(const PortDriverOptions& options) : at_start_(options.publish_at_start) {}
  std::string name() const override { return "implicit"; }
  // rootlesskit reports no port driver (and so no protocols) for implicit.
  std::vector<std::string> protos() const override { return {}; }
  void add(int id, const PortSpec& spec) override;
  void remove(int id) override;

 private:
  std::vector<PortSpec> at_start_;
};

}  // namespace roost::ns
