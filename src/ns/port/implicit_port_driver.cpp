#include "ns/port/implicit_port_driver.hpp"

#include <algorithm>

#include "util/error.hpp"

namespace roost::ns {

void ImplicitPortDriver::add(int, const PortSpec& spec) {
  auto it = std::find(at_start_.begin(), at_start_.end(), spec);
  if (it == at_start_.end())
    throw Error("port driver \"implicit\" cannot add ports after start: pasta forwards only the -p ports it was started with");
  at_start_.erase(it);  // each start spec is taken once
}

void ImplicitPortDriver::remove(int) {
  throw Error("port driver \"implicit\" cannot remove ports: pasta forwards the -p ports it was started with until it exits");
}

}  // namespace roost::ns
