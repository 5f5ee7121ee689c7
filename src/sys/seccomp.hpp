// linux.seccomp through libseccomp. The filter is compiled by the runtime before the container
// exists, so a bad profile fails create with a clear error; the init, a fork of the runtime,
// loads the already-built filter as its last step before execve.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace roost {

class SeccompFilter {
 public:
  // Throws roost::Error naming an unknown action, operator, architecture or flag. Syscall names
  // this architecture does not know are skipped, as runc does.
  static SeccompFilter compile(const oci::Seccomp& profile);
  SeccompFilter(SeccompFilter&&) noexcept;
  SeccompFilter& operator=(SeccompFilter&&) noexcept;
  ~SeccompFilter();

  // Installs the filter in the calling process (and its future children).
  void load() const;
  // The syscalls skipped because this architecture does not know them.
  const std::vector<std::string>& unknown_syscalls() const { return unknown_; }

 private:
  SeccompFilter() = default;
  void* ctx_ = nullptr;
  std::vector<std::string> unknown_;
};

// For `features`: the names roost accepts.
const std::vector<std::string>& seccomp_actions();
const std::vector<std::string>& seccomp_operators();
const std::vector<std::string>& seccomp_flags();
const std::vector<std::string>& seccomp_architectures();

}  // namespace roost
