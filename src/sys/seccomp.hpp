// linux.seccomp through libseccomp. The filter is compiled by the runtime before the container
// exists, so a bad profile fails create with a clear error, and exported there as a BPF program;
// the init, a fork of the runtime, only hands that program to seccomp(2) as its last step before
// execve (libseccomp is not called in the container's process at all). A profile with
// SCMP_ACT_NOTIFY is the exception: its filter goes in before the init reports Ready, so that the
// runtime can pass the notification fd to listenerPath (container/seccomp_listener).
#pragma once

#include <linux/filter.h>

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
  // A filter compiled before (seccomp_cache): the program, its seccomp(2) flags, the skipped names.
  static SeccompFilter from_parts(std::vector<sock_filter> program, unsigned flags, std::vector<std::string> unknown) {
    SeccompFilter f;
    f.program_ = std::move(program);
    f.flags_ = flags;
    f.unknown_ = std::move(unknown);
    return f;
  }

  // Installs the filter in the calling process (and its future children) with seccomp(2).
  // Returns the notification fd when the filter has SCMP_ACT_NOTIFY rules, -1 otherwise.
  int load() const;
  // SCMP_ACT_NOTIFY is used: load() creates a listener fd that somebody must be given.
  bool needs_listener() const { return flags_ & kNewListenerFlag; }
  static constexpr unsigned kNewListenerFlag = 1U << 3;  // SECCOMP_FILTER_FLAG_NEW_LISTENER
  // The syscalls skipped because this architecture does not know them.
  const std::vector<std::string>& unknown_syscalls() const { return unknown_; }
  // The BPF program and the SECCOMP_FILTER_FLAG_* bits load() passes to seccomp(2).
  const std::vector<sock_filter>& program() const { return program_; }
  unsigned flags() const { return flags_; }

 private:
  SeccompFilter() = default;
  std::vector<sock_filter> program_;
  unsigned flags_ = 0;
  std::vector<std::string> unknown_;
};

// For `features`: the names roost accepts.
const std::vector<std::string>& seccomp_actions();
const std::vector<std::string>& seccomp_operators();
// The flags roost accepts that this kernel knows too (asked of the kernel, for `features`).
std::vector<std::string> seccomp_flags();
const std::vector<std::string>& seccomp_architectures();

}  // namespace roost
