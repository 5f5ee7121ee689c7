// Work inside another network namespace without leaving one's own: the monitor (root of the
// user's namespace) configures the rootless network namespace and the containers' ones from
// forked children, since it could never come back to the host's (it belongs to the initial user
// namespace, where the monitor is no one).
#pragma once

#include <functional>
#include <string>

#include "util/unique_fd.hpp"

namespace roost::monitor {

// O_RDONLY of a namespace file (/proc/PID/ns/net, a bound run_dir/netns). Throws naming it.
UniqueFd open_netns(const std::string& path);

// Runs `work` in a forked child that joins the network namespace `netns_fd` first, and waits for
// it; a roost::Error in the child comes back here as the same line. `what` names the namespace in
// messages ("the rootless network namespace").
void in_netns(int netns_fd, const std::string& what, const std::function<void()>& work);

}  // namespace roost::monitor
