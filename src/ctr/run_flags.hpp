// The flags of `roost run`/`create` that need more than a string: each parsed as podman 4.3
// parses it, with podman's error words (checked against Debian's podman). Pure: no I/O; what
// depends on the host (the caller's cwd, its environment) comes in as arguments.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ctr/container.hpp"

namespace roost::ctr {

// -p [[hostIP:]hostPort[-end]:]containerPort[-end][/proto], "[::1]:8080:80": one mapping per port
// of a range. No host port: 0 (a free one is chosen at start). hostIP 0.0.0.0 is "" (all).
// tcp and udp only (sctp is podman's too, not roost's).
std::vector<PortMapping> parse_publish(std::string_view spec);

// -v [SRC:]DST[:opts]. SRC starting with "/" or "." is a bind (made absolute against cwd);
// any other SRC names a volume; DST alone is an anonymous volume (source ""). ro/rw go to
// read_only, the other options stay in `options` in the order given: suid/nosuid, exec/noexec,
// dev/nodev, the propagations, bind/rbind, z/Z (SELinux labels: accepted, meaningless here),
// U (chown the source to the container's root at start, done by the engine), copy/nocopy.
MountRequest parse_volume(std::string_view spec, const std::filesystem::path& cwd);

// --mount type=bind|volume|tmpfs,src=|source=,dst=|destination=|target=,ro|readonly[=true|false],
// bind-propagation=, relabel=, tmpfs-size=, tmpfs-mode=, and the plain mount flags. A bind's
// relative source is made absolute against cwd; tmpfs-size and tmpfs-mode become size= and mode=.
MountRequest parse_mount(std::string_view spec, const std::filesystem::path& cwd);

// --tmpfs DST[:opts]: tmpfs options (size=, mode=, nr_inodes=, uid=, gid=, the mount flags), and
// podman's defaults: nosuid, nodev unless suid/dev is given, tmpcopyup unless notmpcopyup.
MountRequest parse_tmpfs(std::string_view spec);

// --env-file: one entry per line, leading white space dropped, blank lines and "#" comments
// skipped. "K=V" stays as it is; a bare "K" is kept bare for resolve_env_arg (the host's value).
std::vector<std::string> parse_env_file(std::string_view text);

// -e K=V is itself; -e K takes K's value from host_env ("K=V" strings, null-terminated like
// environ); a K the host does not have is skipped: "" is returned. "K" with white space or an
// empty key: roost::Error.
std::string resolve_env_arg(std::string_view arg, const char* const* host_env);

// -e and --env-file entries with podman's "K*" form too: every host variable whose name starts
// with K (none: nothing). Other entries as resolve_env_arg, an absent K giving nothing.
std::vector<std::string> resolve_env_args(std::string_view arg, const char* const* host_env);

// --expose PORT[-END][/tcp|udp]: "80" -> {"80/tcp"}, "90-91/udp" -> {"90/udp", "91/udp"}.
std::vector<std::string> parse_expose(std::string_view spec);

// --restart no|always|on-failure[:N]|unless-stopped.
RestartPolicy parse_restart(std::string_view spec);

// A size as podman reads it (go-units RAMInBytes): "512m", "1g", "1.5G", "1048576b", "1024",
// "64MiB"; 1024-based. roost::Error for anything else or a value beyond int64.
int64_t parse_memory(std::string_view spec);

// --cpus N (a decimal): period 100000 us, quota N * period. "0" is no limit (both 0).
void parse_cpus(std::string_view spec, int64_t& quota, int64_t& period);

// --add-host NAME:IP (the first colon splits, so IPv6 addresses need no brackets).
std::pair<std::string, std::string> parse_add_host(std::string_view spec);

}  // namespace roost::ctr
