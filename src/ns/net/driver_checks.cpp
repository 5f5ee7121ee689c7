#include "ns/net/driver_checks.hpp"

#include <unistd.h>

#include "ns/net/child_addresses.hpp"
#include "ns/net/helper_driver.hpp"
#include "ns/net/helper_process.hpp"
#include "sys/tap_device.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::ns {

std::string require_binary(const std::string& binary, const std::string& package, const std::string& flag) {
  std::string path = find_program(binary);
  if (path.empty())
    throw Error(package + " binary \"" + binary + "\" not found: install the Debian package " + package +
                " (apt-get install " + package + ") or give its path with " + flag);
  return path;
}

bool kernel_has_seccomp() {
  try {
    return read_file("/proc/self/status").find("\nSeccomp:") != std::string::npos;
  } catch (const Error&) {
    return false;
  }
}

void require_tun(const std::string& driver) {
  if (::access("/dev/net/tun", F_OK) != 0)
    throw Error(driver + " needs /dev/net/tun, which does not exist: load the tun module (modprobe tun) as root");
  if (::access("/dev/net/tun", R_OK | W_OK) != 0)
    throw Error(driver + " needs read-write access to /dev/net/tun: as root, chmod 0666 /dev/net/tun");
}

int driver_mtu(const NetworkOptions& options) { return options.mtu > 0 ? options.mtu : 65520; }
std::string driver_ifname(const NetworkOptions& options) { return options.ifname.empty() ? "tap0" : options.ifname; }
std::string driver_cidr(const NetworkOptions& options) { return options.cidr.empty() ? "10.0.2.0/24" : options.cidr; }

void precreate_helper_tap(const NetworkOptions& options) {
  if (options.driver == "slirp4netns") sys::create_persistent_tap(driver_ifname(options));
}

ChildNetwork HelperDriver::child_network_for(const std::string& driver, const NetworkOptions& options) {
  const ChildAddresses a = child_addresses(driver_cidr(options));
  ChildNetwork net{driver, driver_ifname(options), a.ip, a.prefix_length, a.gateway, {a.dns}, driver_mtu(options)};
  net.ipv6 = options.ipv6;
  return net;
}

}  // namespace roost::ns
