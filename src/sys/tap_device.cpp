#include "sys/tap_device.hpp"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/unique_fd.hpp"

namespace roost::sys {

bool create_persistent_tap(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    errno = EINVAL;
    return false;
  }
  UniqueFd tun(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
  if (!tun) return false;
  struct ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::memcpy(ifr.ifr_name, name.c_str(), name.size());
  if (::ioctl(tun.get(), TUNSETIFF, &ifr) < 0) return false;
  // Closing our file would unregister a device that is not persistent (and pay the wait).
  return ::ioctl(tun.get(), TUNSETPERSIST, 1) == 0;
}

}  // namespace roost::sys
