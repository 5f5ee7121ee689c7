// The seccomp profile `roost-runtime spec` puts into linux.seccomp: deny by default, allow what
// ordinary programs need. Its allow and deny lists are data, in default_seccomp.cpp, in one place.
#pragma once

#include <nlohmann/json.hpp>

namespace roost::oci {

// The kernel the profile is written for: ptrace and its relatives are allowed only from 4.8, when
// the kernel started re-checking seccomp after a tracer changes a syscall (before, ptrace could
// bypass the filter).
struct KernelVersion {
  unsigned major = 0, minor = 0;
};
KernelVersion running_kernel();

// The linux.seccomp object (runtime-spec schema) for the default capability set of `spec`
// (no CAP_SYS_ADMIN): a config that adds CAP_SYS_ADMIN must also allow mount & co. itself.
nlohmann::ordered_json default_seccomp_profile(KernelVersion kernel = running_kernel());

}  // namespace roost::oci
