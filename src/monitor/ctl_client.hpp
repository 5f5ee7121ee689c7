// The engine's side of a container's monitor (docs/ARCHITECTURE.md (roost's containers)): requests
// over ctl.sock, and the relay between the caller's stdio and an attached connection (roost run in
// the foreground, roost attach, roost start -a). Errors are roost::Error, one line.
#pragma once

#include <string>

#include "monitor/ctl_protocol.hpp"
#include "util/unique_fd.hpp"

namespace roost::monitor {

// A connection to the monitor listening at path (SOCK_SEQPACKET, close-on-exec; a path longer
// than sun_path is reached through its directory: unix_socket_path.hpp). A missing socket
// or one nobody listens on (a dead monitor): roost::SysError with ENOENT / ECONNREFUSED, so the
// caller can tell "no monitor" from other failures.
UniqueFd connect(const std::string& path);

// Sends signal to the container's init through its monitor.
void kill(const std::string& path, int signal);

// Sends signal, then SIGKILL after timeout_seconds (the monitor's clock), and waits until the
// init has exited; returns its exit code (128+N for death by signal N). A container so stopped is
// not restarted by its restart policy.
int stop(const std::string& path, int signal, int timeout_seconds);

// A connection attached to the container's output (and its stdin when attach_stdin is true: one client
// at a time should feed it). Output from the moment of the attach on; the exit frame at the end.
UniqueFd attach(const std::string& path, bool attach_stdin);

// Gives the monitor a detached exec session's pty master to read until the session ends
// (ctl_protocol's console op); roost::Error with the monitor's words when it refuses.
void hand_over_console(const std::string& path, int master);

// For a foreground run (fd 4 of roost-monitor, docs/ARCHITECTURE.md (roost's containers)): a
// connected pair whose monitor end already carries the attach request, so the monitor treats it as
// its first client before the container starts and no output is lost. Returns the client end;
// monitor_end is what to give the monitor as fd 4 (close it in the caller after the fork).
// window: the caller's terminal size (terminal_size), set on the pty before the container starts.
UniqueFd attach_pair(bool attach_stdin, std::optional<WindowSize> window, UniqueFd& monitor_end);

// The size of the terminal on fd, or nullopt when fd is not a terminal or has no size set.
std::optional<WindowSize> terminal_size(int fd);

// Relays the caller's stdin (when stdin_open), stdout and stderr over an attached connection until
// the exit frame; returns the container's exit code, or -1 if the connection closed without one
// (the monitor died). stdin's end is sent as a stdin-closed frame. With tty: the caller's terminal
// (stdin, when it is one) is put in raw mode for the relay and restored on every way out, its size
// is sent first and again on every SIGWINCH.
int attach_relay(UniqueFd sock, bool stdin_open, bool tty);

}  // namespace roost::monitor
