// The published ports of one roost ns: ids (from 1, never reused), conflict checks, and the
// driver doing the work. The -p flags and the REST API both go through it.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "ns/port/port_driver.hpp"

namespace roost::ns {

struct PortStatus {
  int id = 0;
  PortSpec spec;
};

class PortManager {
 public:
  explicit PortManager(std::unique_ptr<PortDriver> driver);
  PortDriver* driver() const { return driver_.get(); }   // null: no port driver
  // Validates, checks for a conflict (same proto, parentIP and parentPort), starts it; throws
  // roost::Error with rootlesskit's message. Returns the new port as stored (spec as given).
  PortStatus add(const PortSpec& spec);
  // Throws roost::Error "unknown id: N".
  void remove(int id);
  std::vector<PortStatus> list() const;

 private:
  std::unique_ptr<PortDriver> driver_;
  std::map<int, PortSpec> ports_;
  int next_id_ = 1;
};

}  // namespace roost::ns
