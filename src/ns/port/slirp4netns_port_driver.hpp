// The slirp4netns port driver: slirp4netns itself forwards, told over its API socket
// (add_hostfwd / remove_hostfwd, JSON, one request per connection). IPv4 only, as slirp4netns.
#pragma once

#include <map>

#include "ns/port/port_driver.hpp"

namespace roost::ns {

class Slirp4netnsPortDriver : public PortDriver {
 public:
  explicit Slirp4netnsPortDriver(const PortDriverOptions& options);
  std::string name() const override { return "slirp4netns"; }
  std::vector<std::string> protos() const override { return {"tcp", "tcp4", "udp", "udp4"}; }
  bool disallow_loopback_child_ip() const override { return true; }
  void add(int id, const PortSpec& spec) override;
  void remove(int id) override;

 private:
  std::string api_socket_;
  std::string child_ip_;
  std::map<int, long long> hostfwd_ids_;  // our id -> slirp4netns's
};

}  // namespace roost::ns
