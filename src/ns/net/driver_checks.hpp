// Checks shared by the drivers that start a helper, made before any process starts so that a
// missing piece is one line saying what to do.
#pragma once

#include <string>

#include "ns/net/network_options.hpp"

namespace roost::ns {

// The helper's absolute path; throws "slirp4netns: binary "X" not found: install the Debian package
// slirp4netns (or give --slirp4netns-binary)".
std::string require_binary(const std::string& binary, const std::string& package, const std::string& flag);
// Whether this kernel has seccomp (slirp4netns --enable-seccomp needs it).
bool kernel_has_seccomp();
// slirp4netns and pasta open /dev/net/tun inside the namespace as the calling user.
void require_tun(const std::string& driver);
int driver_mtu(const NetworkOptions& options);          // --mtu, or 65520
std::string driver_ifname(const NetworkOptions& options);  // --ifname, or tap0
std::string driver_cidr(const NetworkOptions& options);    // --cidr, or 10.0.2.0/24
// Made by whoever creates the namespace, in it, before slirp4netns is started: slirp4netns's tap,
// persistent, so that its exit does not wait for the device's unregistration
// (sys::create_persistent_tap says why). Nothing for the other drivers: pasta's exit is as slow
// with one (its wait is elsewhere). Best effort: slirp4netns makes the device when this could not.
void precreate_helper_tap(const NetworkOptions& options);

}  // namespace roost::ns
