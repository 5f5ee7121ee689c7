#include "util/xattrs.hpp"

#include <sys/xattr.h>

#include <cerrno>
#include <cstring>

#include "util/error.hpp"

namespace roost {

namespace {

// The size asked first, then the read; a list or value that grew in between is asked again.
template <typename Read>
bool read_sized(std::string& out, Read read) {
  for (;;) {
    const ssize_t size = read(nullptr, 0);
    if (size < 0) return false;
    out.resize(static_cast<size_t>(size));
    const ssize_t got = read(out.data(), out.size());
    if (got >= 0) {
      out.resize(static_cast<size_t>(got));
      return true;
    }
    if (errno != ERANGE) return false;
  }
}

}  // namespace

Xattrs read_xattrs(int fd) {
  Xattrs result;
  std::string names;
  if (!read_sized(names, [fd](char* buf, size_t size) { return ::flistxattr(fd, buf, size); })) {
    if (errno == ENOTSUP) return result;
    throw_errno("list the extended attributes");
  }
  for (size_t off = 0; off < names.size();) {
    const std::string name(names.data() + off);
    off += name.size() + 1;
    if (name.empty()) continue;
    std::string value;
    if (!read_sized(value, [fd, &name](char* buf, size_t size) { return ::fgetxattr(fd, name.c_str(), buf, size); })) {
      if (errno == ENODATA) continue;
      throw_errno("read the extended attribute " + name);
    }
    result.emplace_back(name, std::move(value));
  }
  return result;
}

}  // namespace roost
