// `roost rm [-f] [-v] CTR...`: a running container is refused without -f (podman's words); with
// -f it is killed (SIGKILL, through its monitor or, with the monitor gone, in its user namespace)
// and its monitor waited for, so that its mount namespace (where the rootfs is mounted) is gone.
// Then the runtime's leftover state, and the record with its files, removed inside the user's
// user namespace (the upper dir holds files of subordinate ids).
#pragma once

#include <string>

#include "ctr/container_store.hpp"
#include "util/error.hpp"

namespace roost::engine {

// A running container without -f: podman's "container state improper", its exit code 2.
class ContainerRunningError : public Error {
 public:
  using Error::Error;
};

// -v: the container's anonymous volumes go too.
void remove_container(ctr::ContainerStore& containers, const std::string& id, bool force, bool volumes);

}  // namespace roost::engine
