#include "util/byte_sink.hpp"

#include <unistd.h>

#include <cerrno>

#include "util/error.hpp"

namespace roost::util {

void StringSink::write(const uint8_t* data, size_t size) {
  if (size > cap_ - bytes_.size())
    throw Error(what_ + " is larger than " + std::to_string(cap_) + " bytes: refused");
  bytes_.append(reinterpret_cast<const char*>(data), size);
}

void FdSink::write(const uint8_t* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("write");
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

}  // namespace roost::util
