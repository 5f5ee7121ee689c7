#include "ns/net/slirp4netns_driver.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "ns/net/child_addresses.hpp"
#include "ns/net/driver_checks.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::ns {
namespace {

constexpr int kReadyFd = 3;  // --ready-fd: slirp4netns writes "1" once the tap is served
constexpr int kExitFd = 4;   // --exit-fd: slirp4netns exits when roost's end closes

bool ready_byte(const std::string& received, bool) { return !received.empty(); }

}  // namespace

bool Slirp4netnsDriver::sandbox() const {
  // slirp4netns cannot sandbox itself when it joins a netns by path (slirp4netns issue #317).
  if (options_.slirp4netns_sandbox == "auto") return !options_.detach_netns;
  return options_.slirp4netns_sandbox == "true";
}

bool Slirp4netnsDriver::seccomp() const {
  if (options_.slirp4netns_seccomp == "auto") return kernel_has_seccomp();
  return options_.slirp4netns_seccomp == "true";
}

void Slirp4netnsDriver::check() const {
  require_binary(options_.slirp4netns_binary, "slirp4netns", "--slirp4netns-binary");
  require_tun("slirp4netns");
  child_addresses(driver_cidr(options_));
  if (sandbox() && options_.detach_netns)
    throw Error("--slirp4netns-sandbox conflicts with --detach-netns (slirp4netns issue #317)");
  if (options_.slirp4netns_seccomp == "true" && !kernel_has_seccomp())
    throw Error("--slirp4netns-seccomp=true: this kernel has no seccomp");
}

std::vector<std::string> Slirp4netnsDriver::arguments(const NetnsTarget& target, const std::string& api_socket) const {
  std::vector<std::string> args = {"--mtu", std::to_string(driver_mtu(options_)), "-r", std::to_string(kReadyFd),
                                   "-e", std::to_string(kExitFd)};
  if (options_.disable_host_loopback) args.push_back("--disable-host-loopback");
  if (!options_.cidr.empty()) args.insert(args.end(), {"--cidr", options_.cidr});
  if (!api_socket.empty()) args.insert(args.end(), {"--api-socket", api_socket});
  if (sandbox()) args.push_back("--enable-sandbox");
  if (seccomp()) args.push_back("--enable-seccomp");
  if (options_.ipv6) args.push_back("--enable-ipv6");
  if (!options_.outbound_addr.empty()) args.push_back("--outbound-addr=" + options_.outbound_addr);
  if (!options_.outbound_addr6.empty()) args.push_back("--outbound-addr6=" + options_.outbound_addr6);
  if (!target.netns_path.empty()) {
    args.insert(args.end(), {"--netns-type=path", "--userns-path=" + target.userns_path, target.netns_path});
  } else {
    args.push_back(std::to_string(target.child_pid));
  }
  args.push_back(driver_ifname(options_));
  return args;
}

void Slirp4netnsDriver::launch(const NetnsTarget& target, const std::string& state_dir) {
  std::string path = require_binary(options_.slirp4netns_binary, "slirp4netns", "--slirp4netns-binary");
  int ready[2], exit_pipe[2];
  if (::pipe2(ready, O_CLOEXEC) < 0) throw_errno("pipe");
  UniqueFd ready_read(ready[0]), ready_write(ready[1]);
  if (::pipe2(exit_pipe, O_CLOEXEC) < 0) throw_errno("pipe");
  UniqueFd exit_read(exit_pipe[0]), exit_write(exit_pipe[1]);

  std::string socket = state_dir + "/.s4nn.sock";
  HelperSpec spec{"slirp4netns", path, {options_.slirp4netns_binary}, {ready_write.get(), exit_read.get()},
                  state_dir + "/.slirp4netns.log"};
  for (std::string& a : arguments(target, socket)) spec.argv.push_back(std::move(a));
  helper_ = HelperProcess(spec);
  ready_write.reset();
  exit_read.reset();
  exit_fd_ = std::move(exit_write);
  api_socket_ = socket;
  ready_ = std::move(ready_read);
}

ChildNetwork Slirp4netnsDriver::wait_started() {
  await_ready(ready_byte);
  // With --ipv6 the kernel takes fd00::/64 and its default route from slirp4netns's router
  // advertisements. Its IPv6 DNS forwarder fd00::3 is not listed: rootlesskit 1.1 writes 10.0.2.3 only.
  return child_network_for("slirp4netns", options_);
}

void Slirp4netnsDriver::stop() {
  ready_.reset();
  exit_fd_.reset();  // slirp4netns notices and exits; stop() below waits for it
  helper_.stop();
  if (!api_socket_.empty()) ::unlink(api_socket_.c_str());
  api_socket_.clear();
}

}  // namespace roost::ns
