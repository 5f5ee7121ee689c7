// The network of one container, set up by its monitor before the runtime's create and torn down
// after the container's end. For slirp4netns and pasta: a new network namespace, bound on
// netns_path (the monitor is uid 0 of the user's user namespace, in its own mount namespace; the
// namespace is made by a forked child that unshares CLONE_NEWNET), the ns/net driver's helper
// started against it, lo and tap0 configured inside by a child that joins it, and the published
// ports: slirp4netns through the builtin port driver (the parent half on the monitor's event loop,
// the child half in a forked child that stays inside the namespace, so the server sees the
// client's address), pasta through its own -t/-u forwards. "none" and "host": nothing (the
// runtime makes a new namespace for none; host has none of its own).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ctr/container.hpp"
#include "monitor/user_network.hpp"
#include "ns/port/port_spec.hpp"
#include "util/event_loop.hpp"
#include "util/unique_fd.hpp"

namespace roost::ns {
class NetworkDriver;
class PortDriver;
}  // namespace roost::ns

namespace roost::monitor {

// -p as roost ns's port drivers take it: host ip and port to the container's port; host port 0
// must be resolved first (resolve_free_ports).
ns::PortSpec to_port_spec(const ctr::PortMapping& mapping);

// Host port 0 becomes a port free now on the mapping's address and protocol (bound and released,
// as podman picks one); the others are kept.
std::vector<ctr::PortMapping> resolve_free_ports(std::vector<ctr::PortMapping> ports);

class ContainerNetwork {
 public:
  // mode_options: slirp4netns's (ns/net/slirp4netns_mode_options), empty for the others.
  ContainerNetwork(EventLoop& loop, std::string mode, std::string netns_path, std::string run_dir,
                   std::vector<ctr::PortMapping> ports, std::vector<std::string> mode_options = {});
  ~ContainerNetwork();
  ContainerNetwork(const ContainerNetwork&) = delete;
  ContainerNetwork& operator=(const ContainerNetwork&) = delete;

  // Before the runtime's create: the namespace, and the driver's helper started. Then, after the
  // create and before the start, finish_up: the helper ready (it got ready while the runtime
  // created the container), the inside configured, the ports. roost::Error as one line
  // otherwise, with nothing left running. finish_up does its work once (restarts keep the network).
  void up();
  void finish_up();
  // Whether finish_up has work left (a helper launched by up() that the start must wait for).
  bool finish_pending() const { return finish_pending_; }
  // begin_down, then the port child and the helper reaped, a user network's veth removed.
  // Idempotent.
  void down();
  // The first half of down(), for when the network will not be used again: the listeners closed,
  // the helper told to exit, the namespace unbound; down() then waits for what is still exiting.
  void begin_down();
  // The ports as bound (host port 0 resolved).
  const std::vector<ctr::PortMapping>& ports() const { return ports_; }
  // Processes of the network that the monitor must not reap as orphans (their owners wait for them).
  std::vector<pid_t> helper_pids() const;
  bool needs_netns() const { return mode_ == "slirp4netns" || mode_ == "pasta" || member_.has_value(); }
  // A user-defined network (mode is its name): up() joins the container to it
  // (monitor/user_network) instead of starting a driver.
  void set_user_network(NetworkMember member) { member_ = std::move(member); }

 private:
  void create_netns();
  void launch_driver();
  void configure_inside();
  void start_ports();
  std::string helper_path(const std::string& name) const;

  EventLoop& loop_;
  std::string mode_, netns_path_, run_dir_;
  // The run dir held open while the network lives: the helpers reach their sockets and the
  // namespace through /proc/PID/fd/N/NAME, whatever the run dir's length (sun_path is 108 bytes).
  UniqueFd run_dir_fd_;
  std::vector<ctr::PortMapping> ports_;
  std::vector<std::string> mode_options_;
  bool slirp4netns_port_handler_ = false;  // port_handler=slirp4netns
  std::unique_ptr<ns::NetworkDriver> driver_;
  std::unique_ptr<ns::PortDriver> port_driver_;
  pid_t port_child_ = -1;
  bool netns_bound_ = false;
  std::optional<NetworkMember> member_;
  bool connected_ = false;
  bool finish_pending_ = false;  // up() launched the driver; finish_up() has yet to run
  struct ChildNetworkHolder;
  std::unique_ptr<ChildNetworkHolder> child_network_;
};

}  // namespace roost::monitor
