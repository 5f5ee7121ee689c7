// Errors that carry what was being done and, for system calls, the errno.
// Every failure in roost reaches the user as one line built from these.
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>

namespace roost {

// A failure with a message meant for the user ("mount proc on /proc: EPERM").
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// A failed system call: the message is "<doing>: <strerror(errno)>".
class SysError : public Error {
 public:
  SysError(const std::string& doing, int err);
  int err() const { return err_; }

 private:
  int err_;
};

// Throws SysError built from the current errno.
[[noreturn]] void throw_errno(const std::string& doing);

// Short symbolic name of an errno value ("EPERM"), or the number.
std::string errno_name(int err);

}  // namespace roost
