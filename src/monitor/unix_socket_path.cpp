// Unix socket paths longer than sun_path, through their directory's fd.
#include "monitor/unix_socket_path.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "util/error.hpp"

namespace roost::monitor {

namespace {

void set_path(sockaddr_un& address, const std::string& path) {
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) throw Error("socket path too long: " + path);
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
}

}  // namespace

UnixSocketPath::UnixSocketPath(const std::string& path) : path_(path) {
  if (path.size() < sizeof address_.sun_path) {
    set_path(address_, path);
    return;
  }
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) throw Error("socket path too long: " + path);
  name_ = path.substr(slash + 1);
  const std::string dir = slash == 0 ? "/" : path.substr(0, slash);
  dir_.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir_) throw_errno("open " + dir);
  set_path(address_, "/proc/self/fd/" + std::to_string(dir_.get()) + "/" + name_);
}

std::string UnixSocketPath::for_other_process() const {
  if (!dir_) return path_;
  return "/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(dir_.get()) + "/" + name_;
}

}  // namespace roost::monitor
