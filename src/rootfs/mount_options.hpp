// Translating an OCI mount's option strings into mount(2) flags, mount_setattr(2) attributes,
// propagation and file-system data. Pure logic, unit tested.
#pragma once

#include <string>
#include <vector>

namespace roost {

struct MountOptions {
  unsigned long flags = 0;        // MS_* for mount(2), including MS_BIND/MS_REC for binds
  unsigned long clear_flags = 0;  // MS_* explicitly turned off ("rw", "suid", ...)
  unsigned long propagation = 0;  // MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE, maybe | MS_REC
  std::string data;               // everything else, comma-joined, for the file system
  // "tmpcopyup" (a runc/crun extension podman uses for --read-only): a tmpfs starts with a copy
  // of what the directory it covers held.
  bool copy_up = false;
  bool bind() const;
  bool recursive_bind() const;
};

// Throws roost::Error for options roost cannot honour (idmapped mounts).
MountOptions parse_mount_options(const std::vector<std::string>& options);

// Splits file-system data ("size=1m,mode=755") into the options fsconfig(2) takes one at a time,
// as mount(2) would have read the string: a comma inside double quotes does not end an option and
// the quotes go (context="a,b"), and for tmpfs a comma followed by a digit does not either (its
// mpol=bind:0-3,5 node lists).
std::vector<std::string> split_fs_options(const std::string& type, const std::string& data);

}  // namespace roost
