// A unix socket's path as bind(2) and connect(2) take it. sun_path holds 107 bytes, and a
// container's run dir under $XDG_RUNTIME_DIR is already 96 ("/run/user/1001/roost/containers/"
// + 64 hex): a longer path is reached through its directory, opened here, as
// /proc/self/fd/N/NAME (or /proc/PID/fd/N/NAME for another process of the same user).
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <string>

#include "util/unique_fd.hpp"

namespace roost::monitor {

class UnixSocketPath {
 public:
  explicit UnixSocketPath(const std::string& path);
  const sockaddr* address() const { return reinterpret_cast<const sockaddr*>(&address_); }
  socklen_t length() const { return sizeof address_; }
  // The path for another process while this object lives (the runtime's --console-socket).
  std::string for_other_process() const;

 private:
  std::string path_, name_;
  UniqueFd dir_;
  sockaddr_un address_{};
};

}  // namespace roost::monitor
