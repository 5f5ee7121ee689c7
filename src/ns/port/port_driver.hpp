// A port driver makes a port of the host reach a port inside the child's network namespace.
// The parent half lives in the host namespaces on the parent's event loop; drivers that need a
// hand inside the namespace (builtin) have a child half on the child's event loop, reached over
// a socket pair the parent made before the clone.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ns/port/port_spec.hpp"
#include "util/event_loop.hpp"
#include "util/unique_fd.hpp"

namespace roost::ns {

struct PortDriverOptions {
  std::string driver = "none";     // none, builtin, slirp4netns, implicit
  bool source_ip_transparent = true;  // builtin: the server sees the client's address
  std::string slirp4netns_api_socket; // for driver slirp4netns, from the network driver
  std::string child_ip;            // the child's address on the driver's network (slirp: 10.0.2.100)
  // The privileged-port advice names "CAP_NET_BIND_SERVICE on rootlesskit binary" only when the
  // program was called as rootlesskit, as rootlesskit's does. Unset: argv[0]'s basename decides.
  std::optional<bool> called_as_rootlesskit;
  // builtin: a UDP flow (one client address and port) is closed after this long without a
  // datagram either way (rootlesskit's, from libnetwork: 90 s).
  int udp_idle_timeout_ms = 90000;
  // implicit: the -p specs pasta was started with; add() accepts exactly these (pasta already
  // forwards them), anything else is refused.
  std::vector<PortSpec> publish_at_start;
};

class PortDriver {
 public:
  virtual ~PortDriver() = default;
  virtual std::string name() const = 0;
  virtual std::vector<std::string> protos() const = 0;        // for GET /v1/info
  virtual bool disallow_loopback_child_ip() const { return false; }
  // Starts forwarding. Throws roost::Error with rootlesskit's message (a privileged port, an
  // address in use, a protocol the driver lacks); nothing is left listening then.
  virtual void add(int id, const PortSpec& spec) = 0;
  // Stops listening; connections already forwarded are closed too.
  virtual void remove(int id) = 0;
};

// rootlesskit's checks of --port-driver against --net and -p, with its messages ("port driver
// \"none\" does not support publishing ports", "port driver requires slirp4netns network",
// "port driver requires non-host network", "port driver requires pasta network", "unknown port
// driver: X").
void check_port_driver_choice(const PortDriverOptions& options, const std::string& network_driver,
                              size_t publish_count);

// Parent side. `child_channel` is the parent's end of the port socket pair (unused by drivers
// without a child half). Returns null for "none" (no port driver: the API says so). Throws for
// an unknown driver.
std::unique_ptr<PortDriver> make_port_driver(const PortDriverOptions& options, EventLoop& loop,
                                             UniqueFd child_channel);
// Child side, inside the child's namespaces: serves the parent's requests on `channel` from the
// child's event loop (builtin: connect inside, hand the socket back). For drivers without a child
// half it just keeps the channel.
void serve_port_driver_child(const PortDriverOptions& options, EventLoop& loop, UniqueFd channel);

}  // namespace roost::ns
