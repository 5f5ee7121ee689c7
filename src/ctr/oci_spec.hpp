// The runtime-spec config.json a container starts with, built from its record (ContainerConfig)
// and what the engine resolved at start, as podman 4.3 builds it for a rootless container (its
// config.json was read for comparison): see oci_spec.cpp for each choice. Pure: every fact about
// the host comes in through SpecInputs.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ctr/container.hpp"
#include "ctr/passwd.hpp"

namespace roost::ctr {

// The ids of the user namespace the container starts in (the monitor's: 0 is the user, 1..
// their /etc/subuid range), for a nested user namespace (--userns=keep-id|nomap, --uidmap).
struct OuterIds {
  uint32_t host_uid = 0, host_gid = 0;     // the user's own ids on the host (keep-id keeps them)
  uint32_t uid_count = 0, gid_count = 0;   // ids mapped in the outer namespace (1 + the range)
};

struct SpecInputs {
  ContainerConfig config;
  ResolvedUser user;               // the process's user, resolved against the image (ctr/passwd)
  std::string rootfs;              // absolute: the overlay mount
  std::string bundle;              // absolute: hosts, resolv.conf and hostname made by the engine
  bool bundle_hosts = false, bundle_resolv_conf = false, bundle_hostname = false;  // which exist
  // The network namespace: "" with network none (a new one from the runtime); a path for
  // slirp4netns/pasta (the monitor's netns); ignored for host (no network namespace).
  std::string netns_path;
  bool real_root = false;          // roost run by real root (no outer user namespace)
  // Named and anonymous volumes: destination -> the volume's _data directory (the engine
  // resolves names and creates anonymous ones). Every volume mount needs its entry.
  std::map<std::string, std::string> volume_sources;
  bool terminal = false;
  uint64_t nofile_hard = 1048576;  // the caller's RLIMIT_NOFILE and RLIMIT_NPROC hard limits
  uint64_t nproc_hard = 1048576;
  // --init: a static init on the host (tini-static, catatonit), bound read-only at
  // /run/roost-init; it must be static: the image may have no loader (Debian's plain tini has).
  std::string init_path;
  OuterIds outer;                  // for nested user namespaces only
};

// The user[:group] to resolve (ctr/passwd) for the process: the record's, or with
// --userns=keep-id and no -u the user's own "UID:GID", as podman runs keep-id containers.
std::string process_user_spec(const ContainerConfig& config, const OuterIds& outer);

// config.json text (ordered_json, 2-space indent). roost::Error for what cannot be built: a
// volume without a resolved source, --init without an init binary, keep-id as real root, a
// malformed --uidmap/--gidmap, a seccomp profile that is not a JSON object, an unknown capability.
std::string build_oci_spec(const SpecInputs& inputs);

// podman's default capabilities of a container (CAP_CHOWN ... CAP_SYS_CHROOT).
const std::vector<std::string>& default_capabilities();
// The set after --cap-add/--cap-drop ("ALL" either way; names with or without "CAP_", any case),
// or every capability for --privileged.
std::vector<std::string> effective_capabilities(const ContainerConfig& config);

}  // namespace roost::ctr
