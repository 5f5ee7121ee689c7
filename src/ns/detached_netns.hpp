// --detach-netns: the child stays in the host's network namespace (a process of a new user
// namespace cannot setns back into it), so the new namespace is made, configured and served by
// forked helpers, each entering it on its own.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

namespace roost::ns {

// A new network namespace kept by a bind mount on `path` (an empty file made here), visible in the
// child's mount namespace only. `prepare`, when given, runs inside it first.
void create_detached_netns(const std::string& path, const std::function<void()>& prepare = {});

// Runs `work` in a forked process inside the namespace at `path`; its roost::Error comes back
// here as the same one line.
void run_in_netns(const std::string& path, const std::function<void()>& work);

// Forks a process that enters the namespace at `path` and runs `serve` (which does not return
// while it has work); it dies with the caller. Returns its pid.
pid_t spawn_in_netns(const std::string& path, const std::function<void()>& serve);

}  // namespace roost::ns
