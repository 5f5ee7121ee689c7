// Keeps the runtime binary out of the container's reach (CVE-2019-5736).
//
// The container's init and exec's process are forks of the runtime: until their final execve
// their /proc/PID/exe is the runtime binary, and a container program run through
// "#!/proc/self/exe" executes that binary inside the container. A container process holding that
// file can reopen it for writing once the runtime has exited, and so replace the runtime on the
// host, if the container's root may write the file.
//
// The defence costs nothing when that is impossible (the usual case: a root-owned binary and a
// rootless container whose ids do not include root): the binary is checked, not copied. Only
// when the container's root could write it does the runtime re-execute itself, before anything
// else is done, from a copy the container cannot write: a detached read-only bind of the binary
// (open_tree, when the runtime may mount: real root) or else a sealed memfd copy.
//
// Making the runtime non-dumpable would add nothing: the init keeps its full capability set
// until its execve, so the kernel's ptrace check already refuses /proc/1/exe to container
// processes with fewer capabilities, and one with CAP_SYS_PTRACE passes either way.
#pragma once

#include "idmap/idmap.hpp"

namespace roost {

// The host ids the container's processes may act as.
struct ContainerIds {
  bool all = false;  // no user namespace of its own: every host id (container root is host root)
  idmap::Mappings uid, gid;
};

// Whether a process with the container's ids could open the file for writing: its owner (who
// may also chmod it), a writable group or others, or an ACL that is not read here. With `all`
// (no user namespace of the container's own), every id of the runtime's own namespace.
bool writable_by_container(int fd, const ContainerIds& ids);

// Returns when /proc/self/exe is safe from a container with these ids; otherwise re-executes
// the runtime with the same arguments from a protected copy (and does not return).
void protect_runtime_binary(const ContainerIds& ids);

// The ids of a running container's user namespace, from /proc/PID/uid_map and gid_map.
ContainerIds container_ids_of(pid_t pid);

// True when the runtime's /proc/self/exe is already a protected copy. For tests and --debug.
bool runtime_binary_protected();

}  // namespace roost
