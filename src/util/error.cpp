#include "util/error.hpp"

#include <cstring>

namespace roost {

std::string errno_name(int err) {
  // strerrorname_np is glibc >= 2.32, which Debian 12 has.
  const char* name = strerrorname_np(err);
  return name ? name : std::to_string(err);
}

SysError::SysError(const std::string& doing, int err)
    : Error(doing + ": " + errno_name(err) + " (" + std::strerror(err) + ")"), err_(err) {}

void throw_errno(const std::string& doing) { throw SysError(doing, errno); }

}  // namespace roost
