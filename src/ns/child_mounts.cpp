#include "ns/child_mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "sys/mount_api.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace roost::ns {
namespace {

UniqueFd open_path(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_PATH | O_CLOEXEC));
  if (!fd) throw_errno("open " + path);
  return fd;
}

void mount_sysfs_instance() {
  if (::mount("sysfs", "/sys", "sysfs", 0, nullptr) == 0) return;
  // A read-only /sys on the host refuses a read-write one here (rootlesskit falls back the same way).
  log::warn(std::string("mount sysfs on /sys: ") + errno_name(errno) + ", trying read-only");
  if (::mount("sysfs", "/sys", "sysfs", MS_RDONLY, nullptr) < 0) throw_errno("mount sysfs on /sys");
}

}  // namespace

void set_root_propagation(const std::string& mode) {
  unsigned long flags = 0;
  if (mode == "rprivate") flags = MS_REC | MS_PRIVATE;
  else if (mode == "private") flags = MS_PRIVATE;
  else if (mode == "rslave") flags = MS_REC | MS_SLAVE;
  else if (mode == "slave") flags = MS_SLAVE;
  else if (mode == "rshared") flags = MS_REC | MS_SHARED;
  else if (mode == "shared") flags = MS_SHARED;
  else throw Error("unknown propagation: " + mode);
  if (::mount("none", "/", nullptr, flags, nullptr) < 0) throw_errno("set propagation of / to " + mode);
}

void mount_fresh_sysfs(bool cgroup2) {
  UniqueFd cgroup;
  if (!cgroup2) {
    cgroup = clone_mount_tree("/sys/fs/cgroup", true);
    if (!cgroup) throw_errno("bind /sys/fs/cgroup");
  }
  mount_sysfs_instance();
  if (cgroup2) {
    if (::mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, nullptr) < 0) throw_errno("mount cgroup2 on /sys/fs/cgroup");
    return;
  }
  if (attach_mount_tree(cgroup.get(), open_path("/sys/fs/cgroup").get()) < 0)
    throw_errno("bind the host's /sys/fs/cgroup into the new /sys");
}

void mount_cgroup2_only() {
  // The tmpfs first: cgroup2 straight over the host's tmpfs of v1 hierarchies is EBUSY.
  if (::mount("tmpfs", "/sys/fs/cgroup", "tmpfs", 0, "mode=755") < 0) throw_errno("mount tmpfs on /sys/fs/cgroup");
  if (::mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, nullptr) < 0) throw_errno("mount cgroup2 on /sys/fs/cgroup");
}

void mount_fresh_proc() {
  if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) < 0)
    throw_errno("mount proc on /proc");
}

void write_network_files(const std::string& state_dir, const std::vector<std::string>& dns) {
  std::string resolv;
  for (const auto& server : dns) resolv += "nameserver " + server + "\n";
  write_file(state_dir + "/resolv.conf", resolv, O_CREAT | O_TRUNC, 0644);
  char host[256] = "localhost";
  ::gethostname(host, sizeof host - 1);
  std::string hosts;
  try {
    hosts = read_file("/etc/hosts");
  } catch (const Error&) {
  }
  if (!hosts.empty() && hosts.back() != '\n') hosts += '\n';
  hosts += std::string("127.0.0.1 ") + host + "\n::1 " + host + "\n";
  write_file(state_dir + "/hosts", hosts, O_CREAT | O_TRUNC, 0644);
}

void bind_network_files(const std::string& state_dir, bool etc_copied_up) {
  for (const char* name : {"resolv.conf", "hosts"}) {
    const std::string target = std::string("/etc/") + name;
    if (etc_copied_up) {
      ::unlink(target.c_str());
      write_file(target, "", O_CREAT | O_TRUNC, 0644);
    }
    const std::string source = state_dir + "/" + name;
    if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) < 0)
      throw_errno("bind " + source + " on " + target);
  }
}

}  // namespace roost::ns
