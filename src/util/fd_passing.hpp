// Passing one file descriptor over an AF_UNIX socket (SCM_RIGHTS) together with some bytes: the
// sync channel uses it for the seccomp notify fd, and the runtime for handing that fd on to a
// seccomp agent.
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "util/unique_fd.hpp"

namespace roost {

// One sendmsg(2) of `data` with `fd` attached, retried on EINTR. Returns the bytes sent, or -1
// with errno set.
ssize_t send_with_fd(int sock, const void* data, size_t size, int fd);

// One recvmsg(2) into `buf`, retried on EINTR; a descriptor that came with it is stored in `fd`
// (close-on-exec). Returns the bytes received (0 at end of stream), or -1 with errno set: EMSGSIZE
// when the message or its control data was cut, EBADMSG when it carried more than one descriptor
// (none is kept then).
ssize_t receive_with_fd(int sock, void* buf, size_t size, UniqueFd& fd);

}  // namespace roost
