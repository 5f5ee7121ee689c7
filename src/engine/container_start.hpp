// Starting a container (`roost start`, and `roost run` after its create), as docs/ARCHITECTURE.md
// (roost's containers) has the process model: under the container's lock, inside the user's user
// namespace, the image's layers and the container's upper dir are mounted at its rootfs dir; the
// process user is resolved against the rootfs's /etc/passwd and /etc/group (read confined to the
// rootfs); the bundle's hosts, resolv.conf, hostname and config.json are written, then
// monitor.json, and roost-monitor is started with fd 3 the start pipe (and fd 4 the first attach
// client for a foreground run). The answer on the pipe decides: the container runs, or the start
// failed, in which case nothing stays mounted or running and the error is recorded in the
// container's state.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ctr/oci_spec.hpp"
#include "ctr/container.hpp"
#include "ctr/container_store.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace roost::engine {

// A start that failed, with the exit code podman gives it: 127 the command was not found, 126 it
// cannot be invoked, 125 anything else.
class StartError : public Error {
 public:
  StartError(const std::string& what, int exit_code) : Error(what), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

struct StartOptions {
  bool attach = false;      // the caller relays the container's stdio (foreground run, start -a)
  bool attach_stdin = false;  // and feeds its stdin (-i)
};

struct StartResult {
  int pid = 0;              // the container's init, in the caller's pid namespace
  UniqueFd attach;          // attach: the connection to relay (engine's monitor::attach_relay)
  bool already_running = false;  // nothing was done (podman's start of a running container)
};

// Starts the container `id`. StartError (or roost::Error: 125), one line, when it cannot; the
// error is recorded in its state.json then. Enters the user namespace (store/userns_session): single-threaded callers.
StartResult start_container(ctr::ContainerStore& containers, const std::string& id, const StartOptions& options);

// Pure parts, unit-tested: the bundle's files.
// /etc/hosts: localhost lines, --add-host entries, then the container's own name at `ip`.
std::string hosts_file(const ctr::ContainerConfig& config, const std::string& ip);
// The container's address as it sees itself: 10.0.2.100 behind slirp4netns, 127.0.0.1 otherwise.
std::string container_ip(const ctr::ContainerConfig& config);

// The ids of the user namespace roost runs in (the store's: 0 the user, 1.. the range), read from
// /proc/self: the user's own ids and how many it maps, for a nested user namespace (keep-id).
ctr::OuterIds outer_ids();
// /etc/resolv.conf: --dns servers; else slirp4netns's 10.0.2.3; else the host's text with the
// servers on loopback dropped (unreachable from the container's network namespace), except with
// --network host, where the host's file holds as it is.
std::string resolv_conf(const ctr::ContainerConfig& config, const std::string& host_resolv_conf);

}  // namespace roost::engine
