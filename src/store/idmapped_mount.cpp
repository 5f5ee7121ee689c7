#include "store/idmapped_mount.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "sys/mount_api.hpp"
#include "sys/mount_attr.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::store {
namespace fs = std::filesystem;

namespace {

// The child half: a new user namespace, then wait until the parent has written the maps and
// opened the namespace (it closes the pipe). Only async-signal-safe calls.
[[noreturn]] void hold_new_user_namespace(int ready_fd, int wait_fd) {
  const char ok = ::unshare(CLONE_NEWUSER) == 0 ? 1 : 0;
  (void)!::write(ready_fd, &ok, 1);
  char c;
  while (::read(wait_fd, &c, 1) < 0 && errno == EINTR) {
  }
  ::_exit(0);
}

void write_map(pid_t pid, const char* file, const idmap::Mappings& maps) {
  const std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  const std::string text = idmap::format_proc_map(maps);
  if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    throw_errno("write the idmapped mount's " + std::string(file));
}

}  // namespace

IdMapNamespace IdMapNamespace::create(const idmap::Mappings& uid, const idmap::Mappings& gid) {
  idmap::validate(uid, "uid");
  idmap::validate(gid, "gid");
  int ready[2], wait[2];
  if (::pipe2(ready, O_CLOEXEC) < 0) throw_errno("pipe");
  UniqueFd ready_read(ready[0]), ready_write(ready[1]);
  if (::pipe2(wait, O_CLOEXEC) < 0) throw_errno("pipe");
  UniqueFd wait_read(wait[0]), wait_write(wait[1]);
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork for an idmapped mount's user namespace");
  if (pid == 0) {
    ::close(wait[1]);
    hold_new_user_namespace(ready[1], wait[0]);
  }
  ready_write.reset();
  wait_read.reset();
  // Reaps the child on every way out: closing the wait pipe lets it exit.
  struct Reaper {
    pid_t pid;
    UniqueFd& wait_write;
    ~Reaper() {
      wait_write.reset();
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  } reaper{pid, wait_write};
  char ok = 0;
  if (::read(ready_read.get(), &ok, 1) != 1 || !ok) throw Error("make a user namespace for an idmapped mount: unshare failed");
  write_map(pid, "uid_map", uid);
  write_map(pid, "gid_map", gid);
  UniqueFd ns(::open(("/proc/" + std::to_string(pid) + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns) throw_errno("open the idmapped mount's user namespace");
  return IdMapNamespace(std::move(ns));
}

UniqueFd idmapped_tree(const fs::path& dir, const IdMapNamespace& ns) {
  UniqueFd tree = clone_mount_tree(dir.string(), false);
  if (!tree) throw_errno("bind " + dir.string() + " for an idmapped mount");
  if (set_mount_idmap_fd(tree.get(), ns.fd()) < 0) throw_errno("idmap the mount of " + dir.string());
  return tree;
}

}  // namespace roost::store
