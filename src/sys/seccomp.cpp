#include "sys/seccomp.hpp"

#include <seccomp.h>

#include <utility>

#include "util/error.hpp"

namespace roost {
namespace {

uint32_t action_value(const std::string& name, const std::optional<unsigned>& errno_ret, const std::string& where) {
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(errno_ret.value_or(EPERM));
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(errno_ret.value_or(EPERM));
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_NOTIFY")
    throw Error(where + ": SCMP_ACT_NOTIFY (a seccomp listener) is not supported by roost-runtime yet");
  throw Error(where + ": unknown seccomp action \"" + name + "\"");
}

scmp_compare op_value(const std::string& name) {
  if (name == "SCMP_CMP_NE") return SCMP_CMP_NE;
  if (name == "SCMP_CMP_LT") return SCMP_CMP_LT;
  if (name == "SCMP_CMP_LE") return SCMP_CMP_LE;
  if (name == "SCMP_CMP_EQ") return SCMP_CMP_EQ;
  if (name == "SCMP_CMP_GE") return SCMP_CMP_GE;
  if (name == "SCMP_CMP_GT") return SCMP_CMP_GT;
  if (name == "SCMP_CMP_MASKED_EQ") return SCMP_CMP_MASKED_EQ;
  throw Error("linux.seccomp: unknown operator \"" + name + "\"");
}

uint32_t arch_value(const std::string& name) {
  std::string lower;
  if (name.rfind("SCMP_ARCH_", 0) == 0)
    for (char c : name.substr(10)) lower += static_cast<char>(tolower(static_cast<unsigned char>(c)));
  uint32_t arch = lower.empty() ? 0 : seccomp_arch_resolve_name(lower.c_str());
  if (arch == 0) throw Error("linux.seccomp: unknown architecture \"" + name + "\"");
  return arch;
}

void check(int rc, const std::string& doing) {
  if (rc < 0) throw SysError(doing, -rc);
}

}  // namespace

SeccompFilter::SeccompFilter(SeccompFilter&& o) noexcept : ctx_(std::exchange(o.ctx_, nullptr)), unknown_(std::move(o.unknown_)) {}

SeccompFilter& SeccompFilter::operator=(SeccompFilter&& o) noexcept {
  if (this != &o) {
    if (ctx_) seccomp_release(ctx_);
    ctx_ = std::exchange(o.ctx_, nullptr);
    unknown_ = std::move(o.unknown_);
  }
  return *this;
}

SeccompFilter::~SeccompFilter() {
  if (ctx_) seccomp_release(ctx_);
}

SeccompFilter SeccompFilter::compile(const oci::Seccomp& profile) {
  SeccompFilter filter;
  const uint32_t default_action = action_value(profile.default_action, profile.default_errno_ret, "linux.seccomp.defaultAction");
  filter.ctx_ = seccomp_init(default_action);
  if (!filter.ctx_) throw Error("linux.seccomp: libseccomp could not create a filter");
  scmp_filter_ctx ctx = filter.ctx_;
  for (const auto& arch : profile.architectures) {
    int rc = seccomp_arch_add(ctx, arch_value(arch));
    if (rc < 0 && rc != -EEXIST) check(rc, "linux.seccomp: add architecture " + arch);
  }
  for (const auto& flag : profile.flags) {
    if (flag == "SECCOMP_FILTER_FLAG_LOG")
      check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1), "linux.seccomp: flag " + flag);
    else if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW")
      check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1), "linux.seccomp: flag " + flag);
    else if (flag == "SECCOMP_FILTER_FLAG_TSYNC")
      check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1), "linux.seccomp: flag " + flag);
    else if (flag == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")
      throw Error("linux.seccomp: flag " + flag + " needs libseccomp 2.6, this build has " +
                  std::to_string(seccomp_version()->major) + "." + std::to_string(seccomp_version()->minor));
    else
      throw Error("linux.seccomp: unknown flag \"" + flag + "\"");
  }
  // no_new_privs is the runtime's decision (process.noNewPrivileges), not libseccomp's.
  check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0), "linux.seccomp: clear the NNP attribute");

  for (const auto& rule : profile.syscalls) {
    const uint32_t action = action_value(rule.action, rule.errno_ret, "linux.seccomp.syscalls[" + rule.names[0] + "]");
    std::vector<scmp_arg_cmp> cmps;
    bool repeated_index = false;
    for (const auto& a : rule.args) {
      for (const auto& c : cmps) repeated_index |= c.arg == a.index;
      cmps.push_back({a.index, op_value(a.op), a.value, a.value_two});
    }
    for (const auto& name : rule.names) {
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) {
        filter.unknown_.push_back(name);
        continue;
      }
      // The default action again would be a no-op that libseccomp refuses.
      if (action == default_action) continue;
      const std::string doing = "linux.seccomp: rule for " + name;
      if (!repeated_index) {
        check(seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(cmps.size()), cmps.data()), doing);
      } else {
        // libseccomp cannot compare one argument twice in one rule; as runc does, each comparison
        // becomes a rule of its own (they match as alternatives).
        for (const auto& c : cmps) check(seccomp_rule_add_array(ctx, action, nr, 1, &c), doing);
      }
    }
  }
  return filter;
}

void SeccompFilter::load() const {
  if (ctx_) check(seccomp_load(ctx_), "load the seccomp filter");
}

const std::vector<std::string>& seccomp_actions() {
  static const std::vector<std::string> v = {"SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS",
                                             "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",       "SCMP_ACT_TRACE",
                                             "SCMP_ACT_ALLOW", "SCMP_ACT_LOG"};
  return v;
}

const std::vector<std::string>& seccomp_operators() {
  static const std::vector<std::string> v = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
                                             "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
  return v;
}

const std::vector<std::string>& seccomp_flags() {
  static const std::vector<std::string> v = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                             "SECCOMP_FILTER_FLAG_TSYNC"};
  return v;
}

const std::vector<std::string>& seccomp_architectures() {
  static const std::vector<std::string> v = {"SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",  "SCMP_ARCH_X32",
                                             "SCMP_ARCH_ARM",     "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",
                                             "SCMP_ARCH_MIPS64",  "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
                                             "SCMP_ARCH_PPC",     "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",
                                             "SCMP_ARCH_S390",    "SCMP_ARCH_S390X",   "SCMP_ARCH_RISCV64"};
  return v;
}

}  // namespace roost
