// The way out of the rootless network namespace (issue 13, "Networking"). Containers on a
// user-defined network that is not --internal reach the host's networks as rootless podman's do:
// one slirp4netns serves the rootless network namespace (the pause process's, where the bridges
// are) on tap0 (10.0.2.100/24, default route via 10.0.2.2, DNS forwarder 10.0.2.3); the namespace
// forwards (net.ipv4.ip_forward) and masquerades what leaves through tap0 (one iptables rule, as
// netavark writes for rootless podman; iptables works in a user namespace's network namespace).
// An internal network's bridge does not forward (net.ipv4.conf.BRIDGE.forwarding=0), so its
// containers stay on it whatever their routes say.
//
// Its lifetime: started by the first container on such a network to connect, stopped by the last
// one to leave (both under the network store's lock, counting the leases), so nothing runs while
// no container needs it. It is detached (a session of its own; it outlives the monitor that
// started it) and recorded in run_root/networks/.outbound as "PID START PAUSE_PID PAUSE_START":
// a record naming a pause process that has since died (its namespace unreachable) or a helper
// that has died is replaced by the next connect, and so is one whose start was cut short by a
// killed monitor (recorded in .outbound.starting from its fork until it is ready). A container
// whose monitor was killed keeps its lease, and so the way out, until `roost rm` gives the lease
// back (engine/container_remove).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "ctr/network_store.hpp"

namespace roost::sys {
struct PauseProcess;
}

namespace roost::monitor {

struct OutboundRecord {
  pid_t pid = 0;            // slirp4netns
  uint64_t start_time = 0;  // its /proc/PID/stat starttime
  pid_t pause_pid = 0;      // the pause process whose network namespace it serves
  uint64_t pause_start_time = 0;
  bool operator==(const OutboundRecord&) const = default;
};
std::string format_outbound_record(const OutboundRecord& record);
std::optional<OutboundRecord> parse_outbound_record(const std::string& text);  // nullopt: malformed

// Whether a container is on a network with a way out (a lease on a network that is not internal).
bool outbound_in_use(const ctr::NetworkStore& store);

// Under the store's lock: makes sure the helper serves `pause`'s network namespace (its fd:
// rootless_netns), starting it and configuring the namespace when it does not. roost::Error as
// one line saying what to do (no slirp4netns, no iptables), with nothing left running.
void ensure_outbound(const std::filesystem::path& run_root, const sys::PauseProcess& pause, int rootless_netns,
                     const ctr::NetworkStore& store);

// Under the store's lock: stops the helper when no container needs it any more. Never throws.
void stop_outbound_if_unused(const std::filesystem::path& run_root, const ctr::NetworkStore& store) noexcept;

// Stops the helper whatever uses it: `roost system reset`, which ends the pause process and with it
// the namespace the helper serves. Under the store's lock. Never throws.
void stop_outbound(const std::filesystem::path& run_root) noexcept;

// An internal network's bridge: no forwarding from it. Run inside the rootless network namespace.
void disable_forwarding_from(const std::string& bridge);

}  // namespace roost::monitor
