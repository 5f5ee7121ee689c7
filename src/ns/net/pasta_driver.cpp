#include "ns/net/pasta_driver.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ns/net/child_addresses.hpp"
#include "ns/net/driver_checks.hpp"
#include "ns/net/pasta_ports.hpp"
#include "util/error.hpp"

namespace roost::ns {
namespace {

// pasta writes "PID\n" to its -P file once its set-up is done: a FIFO turns that into a wake-up.
bool pid_line(const std::string& received, bool hung_up) {
  return received.find('\n') != std::string::npos || (hung_up && !received.empty());
}

void add_ports(std::vector<std::string>& args, const std::vector<PortSpec>& published) {
  std::vector<std::string> ports = pasta_port_arguments(published);
  bool tcp = false, udp = false;
  for (const std::string& a : ports) tcp |= a == "-t", udp |= a == "-u";
  // pasta's default for both is "auto" (every port bound in the namespace, scanned once for UDP):
  // only the -p ports are published, as with rootlesskit's other drivers.
  if (!tcp) ports.insert(ports.end(), {"-t", "none"});
  if (!udp) ports.insert(ports.end(), {"-u", "none"});
  args.insert(args.end(), ports.begin(), ports.end());
}

}  // namespace

void PastaDriver::check() const {
  require_binary(options_.pasta_binary, "passt", "--pasta-binary");
  require_tun("pasta");
  child_addresses(driver_cidr(options_));
  pasta_port_arguments(options_.published_ports);
}

std::vector<std::string> PastaDriver::arguments(const NetnsTarget& target, const std::string& pid_path,
                                                const std::string& log_path) const {
  ChildAddresses a = child_addresses(driver_cidr(options_));
  // -f keeps pasta roost's child (reaped by stop()); --log-file keeps it off syslog.
  std::vector<std::string> args = {"-f", "--log-file", log_path, "--ns-ifname", driver_ifname(options_),
                                   "--mtu", std::to_string(driver_mtu(options_)), "--config-net",
                                   "--address", a.ip, "--netmask", std::to_string(a.prefix_length),
                                   "--gateway", a.gateway, "--dns-forward", a.dns};
  if (options_.disable_host_loopback) args.push_back("--no-map-gw");
  // Started by root, pasta turns itself into "nobody", who may not enter root's namespaces.
  if (::geteuid() == 0) args.insert(args.end(), {"--runas", "0:0"});
  if (!options_.ipv6) args.push_back("--ipv4-only");
  add_ports(args, options_.published_ports);
  // -T/-U auto would bind the host's listening ports on the namespace's loopback: a second way to
  // the host's loopback that --no-map-gw does not close, and ports taken from the command.
  args.insert(args.end(), {"-T", "none", "-U", "none", "-P", pid_path});
  if (!target.netns_path.empty()) {
    // No user namespace to join when the caller is already root of the namespace's owner (the
    // engine's monitor): pasta refuses to "enter" the one it is in.
    if (!target.userns_path.empty()) args.insert(args.end(), {"--userns", target.userns_path});
    args.insert(args.end(), {"--netns", target.netns_path});
  } else {
    args.push_back(std::to_string(target.child_pid));
  }
  return args;
}

void PastaDriver::launch(const NetnsTarget& target, const std::string& state_dir) {
  std::string path = require_binary(options_.pasta_binary, "passt", "--pasta-binary");
  pid_fifo_ = state_dir + "/.pasta.pid";
  ::unlink(pid_fifo_.c_str());
  if (::mkfifo(pid_fifo_.c_str(), 0600) < 0) throw_errno("mkfifo " + pid_fifo_);
  UniqueFd ready(::open(pid_fifo_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!ready) throw_errno("open " + pid_fifo_);

  std::string log_path = state_dir + "/.pasta.log";
  HelperSpec spec{"pasta", path, {options_.pasta_binary}, {}, log_path};
  for (std::string& arg : arguments(target, pid_fifo_, log_path)) spec.argv.push_back(std::move(arg));
  try {
    helper_ = HelperProcess(spec);
  } catch (...) {
    stop();
    throw;
  }
  ready_ = std::move(ready);
}

ChildNetwork PastaDriver::wait_started() {
  await_ready(pid_line);
  ChildNetwork net = child_network_for("pasta", options_);
  net.configured_by_driver = true;
  return net;
}

void PastaDriver::stop() {
  ready_.reset();
  helper_.stop();
  if (!pid_fifo_.empty()) ::unlink(pid_fifo_.c_str());
  pid_fifo_.clear();
}

}  // namespace roost::ns
