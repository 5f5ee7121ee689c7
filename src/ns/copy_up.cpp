#include "ns/copy_up.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "sys/mount_api.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace roost::ns {
namespace {

std::vector<std::string> entry_names(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) throw_errno("reading " + dir);
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  return names;
}

// DIR/NAME -> .roXXXXXX/NAME, or the original's own target when it is a symlink.
void link_entry(const std::string& dir, const std::string& hidden_name, const std::string& name) {
  const std::string original = dir + "/" + hidden_name + "/" + name;
  std::string target = hidden_name + "/" + name;
  struct stat st;
  if (::lstat(original.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    char buf[PATH_MAX];
    ssize_t n = ::readlink(original.c_str(), buf, sizeof buf);
    if (n < 0) throw_errno("reading link " + original);
    target.assign(buf, static_cast<size_t>(n));
  }
  const std::string link = dir + "/" + name;
  if (::symlink(target.c_str(), link.c_str()) < 0) throw_errno("symlink " + link + " -> " + target);
}

}  // namespace

void copy_up(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) < 0) throw_errno("copy-up " + dir);
  if (!S_ISDIR(st.st_mode)) throw Error("copy-up " + dir + ": not a directory");

  // The original tree, detached before the tmpfs hides it.
  UniqueFd original = clone_mount_tree(dir, true);
  if (!original) throw_errno("copy-up " + dir + ": bind the original");

  char data[64];
  std::snprintf(data, sizeof data, "mode=%o", st.st_mode & 07777);
  if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, data) < 0) throw_errno("copy-up " + dir + ": mount tmpfs");

  std::string hidden = dir + "/.roXXXXXX";
  if (!::mkdtemp(hidden.data())) throw_errno("copy-up " + dir + ": mkdir " + hidden);
  UniqueFd hidden_fd(::open(hidden.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!hidden_fd || attach_mount_tree(original.get(), hidden_fd.get()) < 0)
    throw_errno("copy-up " + dir + ": attach the original at " + hidden);

  const std::string hidden_name = hidden.substr(dir.size() + 1);
  for (const auto& name : entry_names(hidden)) link_entry(dir, hidden_name, name);
}

}  // namespace roost::ns
