// `roost stop`, `roost kill` and `roost wait`: a running container is reached through its
// monitor's control socket (monitor/ctl_client). A monitor that is gone (killed with -9) while the
// init lives: a forked child joins the init's user namespace (which the user owns) and signals it
// there, and the engine records what happened, so that the container never stays "running" with
// nobody to say it stopped.
#pragma once

#include <optional>
#include <string>

#include "ctr/container_store.hpp"

namespace roost::engine {

// Stops the container `id`: its stop signal, then SIGKILL after `timeout` seconds (its own
// --stop-timeout when none). A container that is not running is left as it is. Returns its exit
// code when it was running.
std::optional<int> stop_container(ctr::ContainerStore& containers, const std::string& id, std::optional<int> timeout,
                                  std::optional<int> signal = std::nullopt);

// Sends `signal` to the container's init; podman's error when it is not running.
void kill_container(ctr::ContainerStore& containers, const std::string& id, int signal);

// Waits until the container has exited (a created one: until it has run) and returns its exit code.
int wait_container(const ctr::ContainerStore& containers, const std::string& id);

}  // namespace roost::engine
