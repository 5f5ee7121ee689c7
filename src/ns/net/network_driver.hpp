// A network driver gives the child's new network namespace a way out. The parent half runs in the
// host namespaces once the child exists (it starts slirp4netns or pasta against the child); the
// child half then configures the namespace from the ChildNetwork the parent sent it.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "ns/net/network_options.hpp"

namespace roost::ns {

// What the child needs to configure its side, and what GET /v1/info reports. Sent from parent to
// child over the sync channel (to_json/from_json below).
struct ChildNetwork {
  std::string driver;              // "host", "none", "slirp4netns", "pasta"
  std::string dev;                 // "tap0"; empty for host/none
  std::string ip;                  // "10.0.2.100"
  int prefix_length = 0;           // 24
  std::string gateway;             // "10.0.2.2"
  std::vector<std::string> dns;    // {"10.0.2.3"}
  int mtu = 0;
  bool ipv6 = false;               // --ipv6: slirp4netns routes fd00::/64 (the kernel takes it from RAs)
  bool configured_by_driver = false;  // pasta configures addresses and routes itself
};
std::string to_json(const ChildNetwork& net);
ChildNetwork child_network_from_json(const std::string& text);

// Where the driver finds the namespace to serve: the child's pid (its /proc/PID/ns/net), or with
// --detach-netns the bind-mounted netns file and the child's user namespace.
struct NetnsTarget {
  pid_t child_pid = 0;
  std::string netns_path;          // set with --detach-netns: /proc/CHILD/root/STATE/netns
  std::string userns_path;         // /proc/CHILD/ns/user
};

class NetworkDriver {
 public:
  virtual ~NetworkDriver() = default;
  // Checks the options and that the helper binary exists, before any process is started:
  // a missing slirp4netns is one line saying what to install.
  virtual void check() const = 0;
  // Whether the child needs a network namespace of its own (false for host).
  virtual bool needs_netns() const = 0;
  // Parent side, once the child's namespace exists. Returns what the child must configure.
  // `state_dir` is where sockets such as slirp4netns's API socket go.
  ChildNetwork start(const NetnsTarget& target, const std::string& state_dir) {
    launch(target, state_dir);
    return wait_started();
  }
  // start in two halves, so that the caller can do other work while the helper gets ready (roost's
  // monitor runs the runtime's create meanwhile): launch starts the helper, wait_started waits
  // until it serves the namespace. A failure in either has stopped the helper.
  virtual void launch(const NetnsTarget& target, const std::string& state_dir) = 0;
  virtual ChildNetwork wait_started() = 0;
  // Stops the helper process (also done by the destructor). Idempotent.
  virtual void stop() = 0;
  // Tells the helper to exit without waiting for it; stop() then reaps it. pasta's exit frees its
  // tap device, which takes the kernel an RCU grace period (~15 ms here): a caller with other
  // work to do (the monitor's --rm removal) does it meanwhile. (slirp4netns's tap is made
  // persistent ahead of it where roost makes the namespace: precreate_helper_tap.)
  virtual void begin_stop() {}
  // slirp4netns's API socket (for its port driver); empty for the others.
  virtual std::string api_socket() const { return {}; }
  // pids of helper processes (slirp4netns, pasta), for the memory benchmark and tests.
  virtual std::vector<pid_t> helper_pids() const { return {}; }
  // A pidfd of the helper, readable once it has exited (for the parent's event loop, which must
  // notice a dead slirp4netns or pasta); -1 when there is no helper or it is stopped.
  virtual int helper_exit_fd() const { return -1; }
};

// Throws roost::Error for an unknown or unsupported driver, naming what is missing.
std::unique_ptr<NetworkDriver> make_network_driver(const NetworkOptions& options);

// Child side, in the child's network namespace with CAP_NET_ADMIN: lo up, then (unless the driver
// configured it) the device up with its MTU, address and default route, through netlink.
void configure_child_network(const ChildNetwork& net);

}  // namespace roost::ns
