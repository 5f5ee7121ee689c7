// One container's network: its namespace, the driver's helper, the inside configuration, ports.
#include "monitor/container_network.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "ns/net/driver_checks.hpp"
#include "ns/net/network_driver.hpp"
#include "ns/net/slirp4netns_mode_options.hpp"
#include "ns/port/port_driver.hpp"
#include "ns/port/socket_address.hpp"
#include "sys/namespaces.hpp"
#include "util/error.hpp"
#include "util/process.hpp"
#include "util/unique_fd.hpp"

namespace roost::monitor {

struct ContainerNetwork::ChildNetworkHolder {
  ns::ChildNetwork net;
};

ns::PortSpec to_port_spec(const ctr::PortMapping& mapping) {
  ns::PortSpec spec;
  spec.proto = mapping.protocol;
  spec.parent_ip = mapping.host_ip;
  spec.parent_port = mapping.host_port;
  spec.child_port = mapping.container_port;
  return spec;
}

std::vector<ctr::PortMapping> resolve_free_ports(std::vector<ctr::PortMapping> ports) {
  for (auto& port : ports) {
    if (port.host_port != 0) continue;
    const bool udp = port.protocol == "udp";
    auto address = ns::SocketAddress::from(port.host_ip.empty() ? "0.0.0.0" : port.host_ip, 0);
    if (!address) throw Error("invalid host address \"" + port.host_ip + "\" in -p");
    UniqueFd sock(::socket(address->family(), (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0));
    if (!sock) throw_errno("create a socket to find a free port");
    if (::bind(sock.get(), address->get(), address->length) < 0)
      throw_errno("find a free port on " + (port.host_ip.empty() ? std::string("0.0.0.0") : port.host_ip));
    ns::SocketAddress bound;
    bound.length = sizeof bound.storage;
    if (::getsockname(sock.get(), bound.get(), &bound.length) < 0) throw_errno("read the free port's number");
    port.host_port = bound.port();
  }
  return ports;
}

namespace {

// Forks a child that runs `work` and waits for it: a roost::Error there comes back here as the
// same line. With wait = false the child is left running (a server: it dies with the monitor,
// PDEATHSIG) and its pid is returned at once; its failure shows as its exit.
pid_t fork_child(const std::function<void()>& work, bool wait) {
  UniqueFd report;
  const pid_t pid = fork_reporting(
      [&] {
        reset_signals();
        work();
      },
      report, /*die_with_parent=*/true);
  if (!wait) return pid;
  const std::string msg = wait_reported(pid, report.get(), "the network set-up process failed");
  if (!msg.empty()) throw Error(msg);
  return pid;
}

}  // namespace

ContainerNetwork::ContainerNetwork(EventLoop& loop, std::string mode, std::string netns_path, std::string run_dir,
                                   std::vector<ctr::PortMapping> ports, std::vector<std::string> mode_options)
    : loop_(loop), mode_(std::move(mode)), netns_path_(std::move(netns_path)), run_dir_(std::move(run_dir)),
      ports_(std::move(ports)), mode_options_(std::move(mode_options)) {}

ContainerNetwork::~ContainerNetwork() { down(); }

void ContainerNetwork::up() {
  if (!needs_netns()) {
    // none/host publish nothing: the engine refuses -p with them, as podman does.
    if (!ports_.empty()) throw Error("published ports need network slirp4netns or pasta, not " + mode_);
    return;
  }
  if (member_) {
    try {
      ports_ = resolve_free_ports(std::move(ports_));
      create_netns();
      connect_container(*member_, netns_path_);
      connected_ = true;
      // -p: the builtin forwarder, its child half in the container's namespace (which has its
      // own loopback), as with slirp4netns.
      start_ports();
    } catch (...) {
      down();
      throw;
    }
    return;
  }
  try {
    ports_ = resolve_free_ports(std::move(ports_));
    run_dir_fd_.reset(::open(run_dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!run_dir_fd_) throw_errno("open " + run_dir_);
    create_netns();
    launch_driver();
  } catch (...) {
    down();
    throw;
  }
  finish_pending_ = true;
}

void ContainerNetwork::finish_up() {
  if (!finish_pending_) return;
  finish_pending_ = false;
  try {
    child_network_ = std::make_unique<ChildNetworkHolder>();
    child_network_->net = driver_->wait_started();
    configure_inside();
    start_ports();
  } catch (...) {
    down();
    throw;
  }
}

void ContainerNetwork::create_netns() {
  UniqueFd file(::open(netns_path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0444));
  if (!file) throw_errno("create " + netns_path_);
  file.reset();
  const std::string path = netns_path_;
  ns::NetworkOptions options;
  options.driver = mode_;
  // The child's mount namespace is the monitor's (fork): its bind mount is ours.
  fork_child([&path, &options] { unshare_netns_bound_at(path, [&options] { ns::precreate_helper_tap(options); }); },
             true);
  netns_bound_ = true;
}

// NAME in the run dir as a short path that the helpers (children of the monitor, same user) can
// open or bind: a long run root would overflow slirp4netns's API socket address otherwise.
std::string ContainerNetwork::helper_path(const std::string& name) const {
  const std::string dir = "/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(run_dir_fd_.get());
  return name.empty() ? dir : dir + "/" + name;
}

void ContainerNetwork::launch_driver() {
  ns::NetworkOptions options;
  options.driver = mode_;
  // podman's slirp4netns default: the container does not reach the host's 127.0.0.1 through
  // 10.0.2.2 unless allow_host_loopback=true (pasta keeps its own default).
  if (mode_ == "slirp4netns")
    slirp4netns_port_handler_ = ns::apply_slirp4netns_mode_options(mode_options_, options).slirp4netns_port_handler;
  options.detach_netns = true;  // the helper joins the namespace by path
  if (mode_ == "pasta") {
    for (const auto& port : ports_) options.published_ports.push_back(to_port_spec(port));
  }
  driver_ = ns::make_network_driver(options);
  driver_->check();
  ns::NetnsTarget target;
  target.netns_path = netns_path_;
  std::string helper_dir = run_dir_;
  // slirp4netns binds its API socket in the helper dir; pasta binds none, and cannot take
  // /proc/PID/fd paths (it drops to nobody, who cannot follow the monitor's fds).
  if (mode_ == "slirp4netns") {
    helper_dir = helper_path("");
    // netns_path_ is in the run dir (the plan's containers/<id>/netns).
    if (netns_path_.rfind(run_dir_ + "/", 0) == 0) target.netns_path = helper_path(netns_path_.substr(run_dir_.size() + 1));
  }
  // slirp4netns joins the user namespace it is given (its own, here: a no-op it accepts); pasta
  // refuses to "enter" the one it is in, and needs none: the monitor is root of it already.
  if (mode_ == "slirp4netns") target.userns_path = "/proc/self/ns/user";
  driver_->launch(target, helper_dir);
}

void ContainerNetwork::configure_inside() {
  const ns::ChildNetwork net = child_network_->net;
  const std::string path = netns_path_;
  fork_child(
      [&] {
        enter_netns(path);
        ns::configure_child_network(net);
      },
      true);
}

void ContainerNetwork::start_ports() {
  if (ports_.empty()) return;
  ns::PortDriverOptions options;
  options.child_ip = child_network_ ? child_network_->net.ip : "";
  options.called_as_rootlesskit = false;
  if (mode_ == "pasta") {
    // pasta forwards them itself (its -t/-u, given at start).
    options.driver = "implicit";
    for (const auto& port : ports_) options.publish_at_start.push_back(to_port_spec(port));
    port_driver_ = ns::make_port_driver(options, loop_, UniqueFd());
  } else if (slirp4netns_port_handler_) {
    // slirp4netns's own forwarder, through its API socket (every client shows as the gateway).
    options.driver = "slirp4netns";
    options.slirp4netns_api_socket = driver_->api_socket();
    port_driver_ = ns::make_port_driver(options, loop_, UniqueFd());
  } else {
    options.driver = "builtin";
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0) throw_errno("create the port driver's channel");
    UniqueFd parent_end(fds[0]), child_end(fds[1]);
    const std::string path = netns_path_;
    const int channel = child_end.get();
    // The child half makes its sockets inside the namespace, so it lives there.
    port_child_ = fork_child(
        [&] {
          parent_end.reset();
          enter_netns(path);
          EventLoop loop;
          ns::serve_port_driver_child(options, loop, UniqueFd(::dup(channel)));
          loop.run();
        },
        false);
    child_end.reset();
    port_driver_ = ns::make_port_driver(options, loop_, std::move(parent_end));
  }
  for (size_t i = 0; i < ports_.size(); ++i) port_driver_->add(static_cast<int>(i + 1), to_port_spec(ports_[i]));
}

std::vector<pid_t> ContainerNetwork::helper_pids() const {
  std::vector<pid_t> pids = driver_ ? driver_->helper_pids() : std::vector<pid_t>{};
  if (port_child_ > 0) pids.push_back(port_child_);
  return pids;
}

void ContainerNetwork::begin_down() {
  port_driver_.reset();  // listeners and relays close; the port child sees its channel close
  if (driver_) driver_->begin_stop();
  if (netns_bound_) {
    ::umount2(netns_path_.c_str(), MNT_DETACH);
    ::unlink(netns_path_.c_str());
    netns_bound_ = false;
  }
}

void ContainerNetwork::down() {
  begin_down();
  if (port_child_ > 0) {
    ::kill(port_child_, SIGKILL);
    while (::waitpid(port_child_, nullptr, 0) < 0 && errno == EINTR) {
    }
    port_child_ = -1;
  }
  if (driver_) {
    driver_->stop();
    driver_.reset();
  }
  if (connected_) {
    disconnect_container(*member_);
    connected_ = false;
  }
  run_dir_fd_.reset();
  finish_pending_ = false;
}

}  // namespace roost::monitor
