// Terminals: connecting to an engine's console socket, passing a pty master over it with
// SCM_RIGHTS (runc's terminals.md protocol), and making the pty the container's stdio and console.
#pragma once

#include <optional>
#include <string>

#include "oci/spec.hpp"
#include "util/unique_fd.hpp"

namespace roost {

UniqueFd connect_console_socket(const std::string& path);

void send_fd(int socket_fd, int fd, const std::string& name);
// An invalid fd if the peer closed the socket without sending one.
UniqueFd receive_fd(int socket_fd);

// In the container: opens a pty from /dev/ptmx, sends the master over console_socket, and makes
// the peer the controlling terminal and stdio. Returns the peer's path (/dev/pts/N).
std::string attach_new_pty(int console_socket, const std::optional<oci::ConsoleSize>& size, uid_t uid);

// In the container, after pivot_root: opens a pty from the container's /dev/ptmx, sends the master
// over console_socket, makes the peer the controlling terminal and stdio, and binds it on
// /dev/console.
void setup_container_terminal(int console_socket, const std::optional<oci::ConsoleSize>& size, uid_t uid);

// Relays between the caller's stdio and a pty master until the container's processes have closed
// the pty: the caller's terminal (if stdin is one) is put in raw mode and its size follows.
void relay_terminal(int master);

}  // namespace roost
