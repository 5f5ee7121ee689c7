// stand-in, removed at merge: the network drivers (ns-net, src/ns/net/) and the port drivers
// (ns-ports, src/ns/port/) are other helpers' work. Just enough for roost ns's process model to
// be built and tested before they land: no port driver with a child half. (ns-net, merging
// ns-core, took out the network half: ns/net has the real drivers.)
#include "ns/port/port_driver.hpp"
#include "util/error.hpp"

namespace roost::ns {

std::unique_ptr<PortDriver> make_port_driver(const PortDriverOptions& options, EventLoop&, UniqueFd) {
  throw Error("port driver " + options.driver + " is not in this build yet (stand-in)");
}

void serve_port_driver_child(const PortDriverOptions&, EventLoop&, UniqueFd) {}

}  // namespace roost::ns
