// Tap devices made ahead of the user-mode network helper (slirp4netns) that serves them.
#pragma once

#include <string>

namespace roost::sys {

// Creates tap device `name` (IFF_TAP | IFF_NO_PI, as slirp4netns opens it) in the calling
// thread's network namespace and makes it persistent, so that the helper's TUNSETIFF attaches to
// it instead of creating it. Why: a tap whose last file is closed is unregistered inside that
// close, which ends in an RCU barrier (20-25 ms on this kernel), so the helper's exit, and
// whoever waits for it, pays that wait; a persistent tap outlives the helper and goes with its
// network namespace, whose clean-up the kernel runs in a worker, off everyone's path.
// Needs CAP_NET_ADMIN over the namespace. Returns false (errno set) when the device cannot be
// made: the helper then creates it itself, as before.
bool create_persistent_tap(const std::string& name);

}  // namespace roost::sys
