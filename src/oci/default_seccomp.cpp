// The default seccomp profile of `roost-runtime spec`, as data.
//
// Shape (the same as podman's and Docker's defaults, written here from the syscalls' man pages):
//   - defaultAction SCMP_ACT_ERRNO with defaultErrnoRet ENOSYS: a syscall nobody listed looks
//     "not implemented", which is what libc and language runtimes expect of a new syscall on an
//     old kernel, so they fall back to an older one (clone3 -> clone, ...) instead of failing;
//   - kAllowed: what ordinary programs need (files, memory, signals, time, sockets, threads, ids;
//     the kernel still checks capabilities for the privileged uses of these);
//   - kDenied: the dangerous syscalls, refused with EPERM, which programs report as "Operation not
//     permitted" (kernel/module loading, bpf, perf, keyrings, mounts and new namespaces without
//     CAP_SYS_ADMIN, handles that escape a mount namespace, userfaultfd, io_uring, clocks, swap,
//     reboot ...);
//   - argument rules for the syscalls that are fine except for some arguments: clone without
//     namespace flags, personality with the harmless personas, socket except AF_VSOCK, ioctl except
//     TIOCSTI/TIOCLINUX (typing into the caller's terminal).
// Names this libseccomp does not know on an architecture are skipped at create time, so the lists
// may name syscalls of other architectures and newer kernels.
#include "oci/default_seccomp.hpp"

#include <sys/utsname.h>

#include <cstdio>
#include <utility>
#include <vector>

namespace roost::oci {
namespace {

using json = nlohmann::ordered_json;

constexpr unsigned kEPERM = 1;
constexpr unsigned kENOSYS = 38;

// clang-format off
const char* const kAllowed[] = {
    // files and directories
    "access", "chdir", "chmod", "chown", "chown32", "close", "close_range", "copy_file_range", "creat",
    "dup", "dup2", "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
    "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64",
    "fdatasync", "fgetxattr", "flistxattr", "flock", "fremovexattr", "fsetxattr", "fstat", "fstat64",
    "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futimesat", "getcwd",
    "getdents", "getdents64", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1",
    "inotify_rm_watch", "lchown", "lchown32", "lgetxattr", "link", "linkat", "listxattr", "llistxattr",
    "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "mkdir", "mkdirat", "mknod",
    "mknodat", "name_to_handle_at", "newfstatat", "open", "openat", "openat2", "pipe", "pipe2", "pread64", "preadv",
    "preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv",
    "removexattr", "rename", "renameat", "renameat2", "rmdir", "sendfile", "sendfile64", "setxattr",
    "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync",
    "sync_file_range", "sync_file_range2", "arm_sync_file_range", "arm_fadvise64_64", "syncfs", "tee",
    "truncate", "truncate64", "umask", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64",
    "utimes", "vmsplice", "write", "writev", "fanotify_mark",
    // polling and event fds
    "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2",
    "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "poll", "ppoll", "ppoll_time64", "pselect6",
    "pselect6_time64", "select", "_newselect", "signalfd", "signalfd4", "timerfd_create",
    "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
    // asynchronous I/O (the old interface; io_uring is denied below)
    "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
    "io_submit", "ioprio_get", "ioprio_set",
    // memory
    "brk", "cachestat", "get_mempolicy", "madvise", "map_shadow_stack", "membarrier", "memfd_create",
    "memfd_secret", "mincore", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mremap",
    "mseal", "msync", "munlock", "munlockall", "munmap", "pkey_alloc", "pkey_free", "pkey_mprotect",
    "remap_file_pages",
    // processes, threads, scheduling
    "arch_prctl", "capget", "capset", "execve", "execveat", "exit", "exit_group", "fork", "futex",
    "futex_requeue", "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "get_robust_list",
    "get_thread_area", "getcpu", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrlimit",
    "getrusage", "getsid", "gettid", "kill", "landlock_add_rule", "landlock_create_ruleset",
    "landlock_restrict_self", "pidfd_open", "pidfd_send_signal", "prctl", "prlimit64",
    "process_mrelease", "restart_syscall", "rseq", "sched_get_priority_max", "sched_get_priority_min",
    "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_getscheduler",
    "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
    "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "set_robust_list",
    "set_thread_area", "set_tid_address", "set_tls", "setpgid", "setpriority", "setrlimit", "setsid",
    "ugetrlimit", "vfork", "wait4", "waitid", "waitpid", "breakpoint", "cacheflush",
    "riscv_flush_icache",
    // signals
    "alarm", "pause", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
    "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
    "sigaltstack", "signal", "sigaction", "sigpending", "sigprocmask", "sigreturn", "sigsuspend",
    "tgkill", "tkill",
    // user and group ids (inside the container's user namespace)
    "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
    "getresgid", "getresgid32", "getresuid", "getresuid32", "getuid", "getuid32", "setfsgid",
    "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32",
    "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid",
    "setreuid32", "setuid", "setuid32",
    // time (reading it; setting the clocks is denied below) and timers
    "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64",
    "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "getitimer",
    "gettimeofday", "nanosleep", "setitimer", "time", "timer_create", "timer_delete",
    "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "times",
    // sockets (socket itself is an argument rule below)
    "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen", "recv",
    "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "send", "sendmmsg", "sendmsg", "sendto",
    "setsockopt", "shutdown", "socketcall", "socketpair",
    // System V and POSIX IPC (in the container's IPC namespace)
    "ipc", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
    "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd", "semctl",
    "semget", "semop", "semtimedop", "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
    // system information
    "getrandom", "sysinfo", "uname",
};

// Refused with EPERM. Each is either a way out of the container or into the host kernel's most
// exposed code, or needs a capability the default config does not grant.
const char* const kDenied[] = {
    // loading code into the kernel or replacing it
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "create_module",
    "get_kernel_syms", "query_module", "bpf", "perf_event_open", "lookup_dcookie",
    // kernel keyrings are not namespaced
    "keyctl", "add_key", "request_key",
    // mounts and namespaces need CAP_SYS_ADMIN; new user namespaces are a large kernel surface
    "mount", "umount", "umount2", "mount_setattr", "move_mount", "open_tree", "fsopen", "fsconfig",
    "fsmount", "fspick", "pivot_root", "chroot", "unshare", "setns",
    // file handles open any file of a filesystem, ignoring the mount namespace
    "open_by_handle_at",
    // page-fault handling in user space makes kernel races easy to win; io_uring bypasses the filter
    "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    // the host's clocks, swap, power, accounting, quotas, kernel log, NUMA placement
    "settimeofday", "stime", "clock_settime", "clock_settime64", "swapon", "swapoff", "reboot", "acct",
    "quotactl", "quotactl_fd", "syslog", "nfsservctl", "_sysctl", "ustat", "vhangup", "mbind",
    "set_mempolicy", "set_mempolicy_home_node", "migrate_pages", "move_pages",
    // names of the UTS namespace need CAP_SYS_ADMIN (the config's hostname is set by the runtime)
    "sethostname", "setdomainname",
    // raw I/O ports, virtual 8086 mode, segment tables, obsolete library loading
    "ioperm", "iopl", "vm86", "vm86old", "modify_ldt", "uselib", "fanotify_init",
};

// Tracing another process and reading or comparing its memory: safe once the kernel re-checks the
// filter after a tracer's change (4.8).
const char* const kTracing[] = {"ptrace", "process_vm_readv", "process_vm_writev", "kcmp"};

// The persona values programs use: PER_LINUX, PER_LINUX32, UNAME26 variants, and the query 0xffffffff.
const uint64_t kPersonalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};
// clang-format on

// CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET
constexpr uint64_t kCloneNamespaceFlags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 |
                                          0x20000000 | 0x40000000;
constexpr uint64_t kAfVsock = 40;
constexpr uint32_t kTiocsti = 0x5412, kTioclinux = 0x541C;

json names(const auto& list) {
  json a = json::array();
  for (const char* n : list) a.push_back(n);
  return a;
}

// For SCMP_CMP_MASKED_EQ, value is the mask and valueTwo what the masked argument must equal (as
// runc and libseccomp read them).
json arg(unsigned index, uint64_t value, const char* op, uint64_t value_two = 0) {
  json a = {{"index", index}, {"value", value}};
  if (value_two) a["valueTwo"] = value_two;
  a["op"] = op;
  return a;
}

json architectures() {
#if defined(__x86_64__)
  return {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
#elif defined(__aarch64__)
  return {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"};
#elif defined(__riscv)
  return {"SCMP_ARCH_RISCV64"};
#else
  return json::array();  // the native architecture only
#endif
}

// The 32-bit values other than `excluded`, as (mask, value) prefixes: every value outside
// `excluded` matches exactly one (value & mask) == prefix. About 32 per excluded value.
void add_prefixes(uint32_t prefix, int bits, const std::vector<uint32_t>& excluded,
                  std::vector<std::pair<uint64_t, uint64_t>>& out) {
  const uint32_t mask = bits == 0 ? 0 : static_cast<uint32_t>(~0ULL << (32 - bits));
  bool contains = false;
  for (uint32_t x : excluded) contains |= (x & mask) == prefix;
  if (!contains) {
    out.emplace_back(mask, prefix);
    return;
  }
  if (bits == 32) return;  // an excluded value itself
  const uint32_t bit = 1U << (31 - bits);
  add_prefixes(prefix, bits + 1, excluded, out);
  add_prefixes(prefix | bit, bits + 1, excluded, out);
}

std::vector<std::pair<uint64_t, uint64_t>> prefixes_except(const std::vector<uint32_t>& excluded) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  add_prefixes(0, 0, excluded, out);
  return out;
}

}  // namespace

KernelVersion running_kernel() {
  KernelVersion v;
  utsname u{};
  if (uname(&u) == 0) std::sscanf(u.release, "%u.%u", &v.major, &v.minor);
  return v;
}

json default_seccomp_profile(KernelVersion kernel) {
  json rules = json::array();
  rules.push_back({{"names", names(kAllowed)}, {"action", "SCMP_ACT_ALLOW"}});
  if (kernel.major > 4 || (kernel.major == 4 && kernel.minor >= 8))
    rules.push_back({{"names", names(kTracing)}, {"action", "SCMP_ACT_ALLOW"}});
  // One rule per value: a rule's comparisons must all hold, separate rules are alternatives.
  for (uint64_t p : kPersonalities)
    rules.push_back({{"names", {"personality"}}, {"action", "SCMP_ACT_ALLOW"}, {"args", {arg(0, p, "SCMP_CMP_EQ")}}});
#if !defined(__s390__) && !defined(__s390x__)  // s390 passes clone's flags second
  rules.push_back({{"names", {"clone"}},
                   {"action", "SCMP_ACT_ALLOW"},
                   {"args", {arg(0, kCloneNamespaceFlags, "SCMP_CMP_MASKED_EQ", 0)}}});
#endif
  // clone3 passes its flags in memory the filter cannot read: "not implemented" makes libc use clone.
  rules.push_back({{"names", {"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", kENOSYS}});
  rules.push_back({{"names", {"socket"}}, {"action", "SCMP_ACT_ALLOW"}, {"args", {arg(0, kAfVsock, "SCMP_CMP_NE")}}});
  // ioctl: libseccomp lets an unconditional allow win over a conditional deny of the same syscall,
  // so the allowed requests are spelt out as prefixes of the 32-bit request (the kernel reads an
  // unsigned int, so the argument's high bits are masked off and cannot dodge the rule).
  for (uint32_t req : {kTiocsti, kTioclinux})
    rules.push_back({{"names", {"ioctl"}},
                     {"action", "SCMP_ACT_ERRNO"},
                     {"errnoRet", kEPERM},
                     {"args", {arg(1, 0xffffffff, "SCMP_CMP_MASKED_EQ", req)}}});
  for (const auto& [mask, value] : prefixes_except({kTiocsti, kTioclinux}))
    rules.push_back({{"names", {"ioctl"}}, {"action", "SCMP_ACT_ALLOW"}, {"args", {arg(1, mask, "SCMP_CMP_MASKED_EQ", value)}}});
  rules.push_back({{"names", names(kDenied)}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", kEPERM}});
  return {{"defaultAction", "SCMP_ACT_ERRNO"},
          {"defaultErrnoRet", kENOSYS},
          {"architectures", architectures()},
          {"syscalls", rules}};
}

}  // namespace roost::oci
