// The flags `roost create` and `roost run` share (issue 13's list, podman's names), bound to an
// engine::CreateRequest, and the host checks that belong to the command line: resource limits
// need a delegated cgroup v2, refused with `roost check`'s own advice where there is none.
#pragma once

#include <CLI/CLI.hpp>

#include "engine/container_create.hpp"

namespace roost::cli {

// Adds the flags to cmd; IMAGE [CMD...] are taken from cmd.remaining() (prefix_command: the
// container's own flags are never roost's).
void add_container_flags(CLI::App& cmd, engine::CreateRequest& request);

// Fills what the parse leaves implicit (IMAGE and CMD, the optional flags given, the cwd and the
// environment); roost::Error for a missing image or a refused flag.
void finish_container_request(CLI::App& cmd, engine::CreateRequest& request);

}  // namespace roost::cli
