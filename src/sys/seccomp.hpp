// linux.seccomp through libseccomp. The filter is compiled by the runtime before the container
// exists, so a bad profile fails create with a clear error, and exported there as BPF; the init,
// a fork of the runtime, only hands the programs to seccomp(2) (libseccomp is never called in the
// container's process).
//
// A profile becomes two programs. The main one is the whole profile with its SCMP_ACT_NOTIFY
// rules allowing, installed as the last step before execve. A profile with SCMP_ACT_NOTIFY rules
// also has a listener program: those rules alone, every other call allowed, installed with
// SECCOMP_FILTER_FLAG_NEW_LISTENER before the init reports Ready, so that the runtime can pass
// the notification fd to listenerPath (container/seccomp_listener) while the rest of the profile
// still waits for the last moment. The kernel runs every installed filter and takes the strictest
// answer (kill > trap > errno > notify > trace > log > allow), so the pair decides each call as the
// single profile would, and the runtime's own calls after Ready meet only the notify rules.
#pragma once

#include <linux/filter.h>

#include <string>
#include <utility>
#include <vector>

#include "oci/spec.hpp"

namespace roost {

// One BPF program and the SECCOMP_FILTER_FLAG_* bits seccomp(2) installs it with.
struct SeccompProgram {
  std::vector<sock_filter> code;
  unsigned flags = 0;
  bool empty() const { return code.empty(); }
};

class SeccompFilter {
 public:
  // Throws roost::Error naming an unknown action, operator, architecture or flag. Syscall names
  // this architecture does not know are skipped, as runc does.
  static SeccompFilter compile(const oci::Seccomp& profile);
  // A filter compiled before (seccomp_cache): its two programs and the skipped names.
  static SeccompFilter from_parts(SeccompProgram main, SeccompProgram listener, std::vector<std::string> unknown) {
    SeccompFilter f;
    f.main_ = std::move(main);
    f.listener_ = std::move(listener);
    f.unknown_ = std::move(unknown);
    return f;
  }

  // Installs the main program in the calling process (and its future children).
  void load() const;
  // Installs the listener program and returns its notification fd (needs_listener() only).
  int load_listener() const;
  // The profile has SCMP_ACT_NOTIFY rules for calls this architecture knows.
  bool needs_listener() const { return !listener_.empty(); }
  // The syscalls skipped because this architecture does not know them.
  const std::vector<std::string>& unknown_syscalls() const { return unknown_; }
  const SeccompProgram& main_program() const { return main_; }
  const SeccompProgram& listener_program() const { return listener_; }

 private:
  SeccompFilter() = default;
  SeccompProgram main_, listener_;
  std::vector<std::string> unknown_;
};

// For `features`: the names roost accepts.
const std::vector<std::string>& seccomp_actions();
const std::vector<std::string>& seccomp_operators();
// The flags roost accepts that this kernel knows too (asked of the kernel, for `features`).
std::vector<std::string> seccomp_flags();
const std::vector<std::string>& seccomp_architectures();

}  // namespace roost
