#include "sys/seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memory>
#include <utility>

#include "util/error.hpp"

namespace roost {
namespace {

uint32_t action_value_of(const std::string& name, const std::optional<unsigned>& errno_ret, const std::string& where) {
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(errno_ret.value_or(EPERM));
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(errno_ret.value_or(EPERM));
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_NOTIFY") return SCMP_ACT_NOTIFY;
  throw Error(where + ": unknown seccomp action \"" + name + "\"");
}

uint32_t action_value(const std::string& name, const std::optional<unsigned>& errno_ret, const std::string& where) {
  const uint32_t value = action_value_of(name, errno_ret, where);
  // The runtime-spec: an errno for an action that returns none is an error, not ignored.
  if (errno_ret && name != "SCMP_ACT_ERRNO" && name != "SCMP_ACT_TRACE")
    throw Error(where + ": an errno return is only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not " + name);
  return value;
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

using Context = std::unique_ptr<void, void (*)(void*)>;

// libseccomp writes its BPF to a file descriptor: a memfd, read back whole.
std::vector<sock_filter> export_bpf(scmp_filter_ctx ctx) {
  const int fd = static_cast<int>(syscall(SYS_memfd_create, "roost-seccomp", MFD_CLOEXEC));
  if (fd < 0) throw SysError("linux.seccomp: memfd_create", errno);
  std::unique_ptr<int, void (*)(int*)> closer(new int(fd), [](int* f) { close(*f); delete f; });
  check(seccomp_export_bpf(ctx, fd), "linux.seccomp: export the BPF program");
  const off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0 || size % sizeof(sock_filter) != 0 || size / sizeof(sock_filter) > BPF_MAXINSNS)
    throw Error("linux.seccomp: the filter is " + std::to_string(size / sizeof(sock_filter)) +
                " BPF instructions; the kernel takes at most " + std::to_string(BPF_MAXINSNS));
  std::vector<sock_filter> program(static_cast<size_t>(size) / sizeof(sock_filter));
  if (pread(fd, program.data(), static_cast<size_t>(size), 0) != size) throw SysError("linux.seccomp: read the BPF program", errno);
  return program;
}

// What SCMP_ACT_NOTIFY needs: a listener to hand the fd to, and no notification on the one call
// that hands it over (nobody could answer it yet). Returns whether the profile has notify rules.
bool check_notify_rules(const oci::Seccomp& profile) {
  bool notify = false;
  for (const auto& rule : profile.syscalls) {
    if (rule.action != "SCMP_ACT_NOTIFY") continue;
    notify = true;
    for (const auto& name : rule.names)
      if (name == "sendmsg")
        throw Error("linux.seccomp: SCMP_ACT_NOTIFY cannot be used for sendmsg: the runtime sends the listener's "
                    "file descriptor with it, after the filter is in place");
  }
  if (!profile.listener_metadata.empty() && profile.listener_path.empty())
    throw Error("linux.seccomp: listenerMetadata is set without listenerPath");
  if (notify && profile.listener_path.empty())
    throw Error("linux.seccomp: SCMP_ACT_NOTIFY needs listenerPath, the socket of the agent that answers the "
                "notifications (without one the process would wait for ever)");
  if (notify && profile.listener_path[0] != '/')
    throw Error("linux.seccomp: listenerPath " + profile.listener_path + " must be an absolute path");
  return notify;
}

// The two programs a profile becomes (seccomp.hpp).
enum class Part { Main, Listener };

// A libseccomp context for one program: its default action and the profile's architectures.
Context new_context(uint32_t default_action, const oci::Seccomp& profile) {
  Context owner(seccomp_init(default_action), seccomp_release);
  if (!owner) throw Error("linux.seccomp: libseccomp could not create a filter");
  for (const auto& arch : profile.architectures) {
    int rc = seccomp_arch_add(owner.get(), arch_value(arch));
    if (rc < 0 && rc != -EEXIST) check(rc, "linux.seccomp: add architecture " + arch);
  }
  return owner;
}

// Asks libseccomp for a binary tree of syscall numbers instead of one comparison after another,
// when the program has `rules` rules: the kernel runs the program once per syscall number and
// architecture when it loads it (to cache the always-allowed calls), so the default profile loads
// in about half the time (bench/seccomp-load), and each of the container's syscalls walks fewer
// instructions. Not for a few rules, where the tree gains nothing, and never for none: libseccomp
// 2.5.0-2.5.3 then ignores the default action and kills every call (libseccomp issue 370; runc
// also keeps the tree for filters of 8 rules or more). libseccomp before 2.5 has no tree.
void prefer_binary_tree(scmp_filter_ctx ctx, size_t rules) {
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 5)
  constexpr size_t kTreeFromRules = 8;
  if (rules < kTreeFromRules) return;
  const int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (rc < 0 && rc != -EINVAL && rc != -EOPNOTSUPP) check(rc, "linux.seccomp: ask libseccomp for a binary-tree filter");
#else
  (void)ctx;
  (void)rules;
#endif
}

// Adds the profile's rules for `part` to `ctx`: for Main every rule, SCMP_ACT_NOTIFY as allow; for
// the Listener only the SCMP_ACT_NOTIFY rules. Names this architecture does not know go to
// `unknown` (when given). Returns the number of rules added.
size_t add_rules(scmp_filter_ctx ctx, const oci::Seccomp& profile, Part part, uint32_t default_action,
                 std::vector<std::string>* unknown) {
  size_t added = 0;
  for (const auto& rule : profile.syscalls) {
    uint32_t action = action_value(rule.action, rule.errno_ret, "linux.seccomp.syscalls[" + rule.names[0] + "]");
    if (action == SCMP_ACT_NOTIFY) {
      if (part == Part::Main) action = SCMP_ACT_ALLOW;
    } else if (part == Part::Listener) {
      continue;
    }
    std::vector<scmp_arg_cmp> cmps;
    bool repeated_index = false;
    for (const auto& a : rule.args) {
      for (const auto& c : cmps) repeated_index |= c.arg == a.index;
      cmps.push_back({a.index, op_value(a.op), a.value, a.value_two});
    }
    for (const auto& name : rule.names) {
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) {
        if (unknown) unknown->push_back(name);
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
      ++added;
    }
  }
  return added;
}

// seccomp(2) with one program; its result (0, a notify fd, or a thread id with TSYNC).
long install(const SeccompProgram& p) {
  sock_fprog prog{static_cast<unsigned short>(p.code.size()), const_cast<sock_filter*>(p.code.data())};
  const long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p.flags, &prog);
  if (rc < 0) {
    if (errno == EINVAL && (p.flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV))
      throw Error("load the seccomp filter: this kernel does not know SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV "
                  "(Linux 5.19 or later has it): drop the flag");
    if (errno == EACCES)
      throw SysError("load the seccomp filter (without process.noNewPrivileges it needs CAP_SYS_ADMIN)", errno);
    throw SysError("load the seccomp filter", errno);
  }
  return rc;
}

}  // namespace

SeccompFilter SeccompFilter::compile(const oci::Seccomp& profile) {
  SeccompFilter filter;
  if (profile.default_action == "SCMP_ACT_NOTIFY")
    throw Error("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action: it would stop the "
                "runtime's own hand-over of the listener's file descriptor");
  const bool has_notify_rules = check_notify_rules(profile);
  const uint32_t default_action = action_value(profile.default_action, profile.default_errno_ret, "linux.seccomp.defaultAction");
  unsigned common_flags = 0;
  bool wait_killable = false;
  for (const auto& flag : profile.flags) {
    // The flags are seccomp(2)'s own: load() passes them, libseccomp never sees them.
    if (flag == "SECCOMP_FILTER_FLAG_LOG")
      common_flags |= SECCOMP_FILTER_FLAG_LOG;
    else if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW")
      common_flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    else if (flag == "SECCOMP_FILTER_FLAG_TSYNC")
      common_flags |= SECCOMP_FILTER_FLAG_TSYNC;
    else if (flag == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")
      wait_killable = true;  // only with a listener: checked below, once the rules are known
    else
      throw Error("linux.seccomp: unknown flag \"" + flag + "\"");
  }
  // no_new_privs is the runtime's decision (process.noNewPrivileges): seccomp(2) is called
  // directly, so libseccomp's NNP attribute does not apply.

  Context main = new_context(default_action, profile);
  prefer_binary_tree(main.get(), add_rules(main.get(), profile, Part::Main, default_action, &filter.unknown_));
  filter.main_ = {export_bpf(main.get()), common_flags};

  Context listener = has_notify_rules ? new_context(SCMP_ACT_ALLOW, profile) : Context(nullptr, seccomp_release);
  const size_t listener_rules =
      listener ? add_rules(listener.get(), profile, Part::Listener, SCMP_ACT_ALLOW, nullptr) : 0;
  const bool notify = listener_rules > 0;
  if (notify) prefer_binary_tree(listener.get(), listener_rules);
  if (wait_killable && !notify)
    // The kernel accepts it only together with SECCOMP_FILTER_FLAG_NEW_LISTENER.
    throw Error("linux.seccomp: flag SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs an SCMP_ACT_NOTIFY rule "
                "(it changes how a notified call waits for the listener)");
  if (notify) {
    // Every flag applies to both programs: SPEC_ALLOW is lost if any filter goes in without it.
    unsigned flags = common_flags | SECCOMP_FILTER_FLAG_NEW_LISTENER;
    // The kernel takes TSYNC with a listener only if a failed sync is reported as ESRCH.
    if (flags & SECCOMP_FILTER_FLAG_TSYNC) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    if (wait_killable) flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    filter.listener_ = {export_bpf(listener.get()), flags};
  }
  return filter;
}

void SeccompFilter::load() const {
  if (main_.empty()) return;
  // With TSYNC, a positive result is the id of a thread that could not be synchronised.
  if (const long rc = install(main_); rc > 0)
    throw Error("load the seccomp filter: thread " + std::to_string(rc) + " could not be synchronised");
}

int SeccompFilter::load_listener() const {
  if (listener_.empty()) throw Error("load the seccomp listener filter: the profile has no SCMP_ACT_NOTIFY rule");
  return static_cast<int>(install(listener_));
}

const std::vector<std::string>& seccomp_actions() {
  static const std::vector<std::string> v = {"SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS",
                                             "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",       "SCMP_ACT_TRACE",
                                             "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",         "SCMP_ACT_NOTIFY"};
  return v;
}

const std::vector<std::string>& seccomp_operators() {
  static const std::vector<std::string> v = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
                                             "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
  return v;
}

std::vector<std::string> seccomp_flags() {
  // seccomp(2) checks the flags before it reads the program: with no program, EFAULT means this
  // kernel knows the flags, EINVAL that it does not. WAIT_KILLABLE_RECV is asked about with the
  // listener flag it needs, TSYNC alone.
  static constexpr std::pair<const char*, unsigned> kFlags[] = {
      {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
      {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
      {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
      {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER}};
  std::vector<std::string> out;
  for (const auto& [name, bits] : kFlags)
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, bits, nullptr) < 0 && errno == EFAULT) out.push_back(name);
  return out;
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
