#include "container/exe_guard.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "sys/mount_api.hpp"
#include "sys/mount_attr.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/log.hpp"

extern char** environ;

namespace roost {
namespace {

// Set across the re-exec: a protected copy that still looks unprotected is an error, not a loop.
constexpr const char* kReexecMarker = "_ROOST_EXE_PROTECTED";
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

bool maps_host_id(const idmap::Mappings& maps, uint32_t host_id) {
  for (const auto& m : maps)
    if (host_id >= m.host_id && uint64_t(host_id) < uint64_t(m.host_id) + m.size) return true;
  return false;
}

bool is_sealed_memfd(int fd) {
  int seals = ::fcntl(fd, F_GET_SEALS);
  return seals >= 0 && (seals & F_SEAL_WRITE);
}

bool on_readonly_mount(int fd) {
  struct statvfs sv;
  return ::fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

}  // namespace

bool writable_by_container(int fd, const ContainerIds& ids) {
  struct stat st;
  if (::fstat(fd, &st) < 0) return true;
  if (ids.all) {
    // The container shares the runtime's user namespace. The initial one holds every host id.
    // A nested one (an engine's, where the runtime runs as its root) holds what the runtime
    // itself may do there, and the kernel answers that: root of a namespace gets no
    // CAP_DAC_OVERRIDE over a file whose owner the namespace does not map (fstat cannot tell,
    // it shows such an owner as the overflow id, which the namespace may map as well).
    if (container_ids_of(::getpid()).all) return true;
    if (::faccessat(fd, "", W_OK, AT_EACCESS | AT_EMPTY_PATH) == 0) return true;
    return errno != EACCES && errno != EPERM && errno != EROFS;  // no answer (an old kernel): assume the worst
  }
  if (maps_host_id(ids.uid, st.st_uid)) return true;
  if ((st.st_mode & S_IWGRP) && maps_host_id(ids.gid, st.st_gid)) return true;
  if (st.st_mode & S_IWOTH) return true;
  return ::fgetxattr(fd, "system.posix_acl_access", nullptr, 0) >= 0;
}

namespace {

std::vector<std::string> own_argv() {
  std::string cmdline = read_file("/proc/self/cmdline");
  std::vector<std::string> args;
  size_t start = 0;
  for (size_t i = 0; i < cmdline.size(); ++i) {
    if (cmdline[i] == '\0') {
      args.push_back(cmdline.substr(start, i - start));
      start = i + 1;
    }
  }
  return args;
}

[[noreturn]] void reexec_from(int fd) {
  std::vector<std::string> args = own_argv();
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::setenv(kReexecMarker, "1", 1);
  ::syscall(SYS_execveat, fd, "", argv.data(), environ, AT_EMPTY_PATH);
  throw_errno("re-execute the runtime from its protected copy");
}

// A detached bind of the binary, read-only before anything can reach it. Needs CAP_SYS_ADMIN
// over our mount namespace; invalid otherwise.
UniqueFd readonly_clone(int exe_fd) {
  UniqueFd tree = clone_mount_fd(exe_fd, false);
  if (!tree) return tree;
  if (set_mount_attr_fd(tree.get(), kAttrRdonly, 0, false) < 0) return UniqueFd();
  return tree;
}

UniqueFd sealed_copy(int exe_fd) {
  UniqueFd mem(::memfd_create("roost-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC));
  if (!mem && errno == EINVAL) mem = UniqueFd(::memfd_create("roost-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!mem) throw_errno("memfd_create for the runtime's copy");
  struct stat st;
  if (::fstat(exe_fd, &st) < 0) throw_errno("stat the runtime binary");
  off_t offset = 0;
  while (offset < st.st_size) {
    ssize_t n = ::sendfile(mem.get(), exe_fd, &offset, static_cast<size_t>(st.st_size - offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_errno("copy the runtime binary");
  }
  if (::fcntl(mem.get(), F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
    throw_errno("seal the runtime's copy");
  return mem;
}

idmap::Mappings read_map(const std::string& path) { return idmap::parse_proc_map(read_file(path)); }

}  // namespace

bool runtime_binary_protected() {
  UniqueFd exe(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  return exe && (is_sealed_memfd(exe.get()) || on_readonly_mount(exe.get()));
}

void protect_runtime_binary(const ContainerIds& ids) {
  UniqueFd exe(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (!exe) throw_errno("open the runtime binary");
  const bool reexecuted = ::getenv(kReexecMarker) != nullptr;
  ::unsetenv(kReexecMarker);
  if (is_sealed_memfd(exe.get()) || on_readonly_mount(exe.get())) return;
  if (!writable_by_container(exe.get(), ids)) {
    log::debug("the runtime binary is not writable by the container's ids: no copy needed");
    return;
  }
  if (reexecuted) throw Error("the runtime binary is still writable by the container after re-executing");
  if (UniqueFd ro = readonly_clone(exe.get())) {
    log::debug("the container could write the runtime binary: re-executing from a read-only bind of it");
    reexec_from(ro.get());
  }
  log::debug("the container could write the runtime binary: re-executing from a sealed copy");
  UniqueFd copy = sealed_copy(exe.get());
  reexec_from(copy.get());
}

ContainerIds container_ids_of(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  ContainerIds ids;
  ids.uid = read_map(dir + "/uid_map");
  ids.gid = read_map(dir + "/gid_map");
  // The initial user namespace maps everything: the container shares the host's ids.
  ids.all = ids.uid.size() == 1 && ids.uid[0].container_id == 0 && ids.uid[0].host_id == 0 &&
            ids.uid[0].size == 4294967295U;
  return ids;
}

}  // namespace roost
