#include "ns/state_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::ns {
namespace {

std::string absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[4096];
  if (!::getcwd(cwd, sizeof cwd)) throw_errno("getcwd");
  return std::string(cwd) + "/" + path;
}

std::string make_temp_dir() {
  const char* tmp = ::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/rootlesskitXXXXXX";
  if (!::mkdtemp(templ.data())) throw_errno("creating a state directory under " + std::string(tmp && *tmp ? tmp : "/tmp"));
  return templ;
}

UniqueFd lock_file(const std::string& dir) {
  const std::string path = dir + "/lock";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) throw_errno("failed to lock " + path);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0) {
    if (errno == EWOULDBLOCK)
      throw Error("failed to lock " + path + ", another RootlessKit is running with the same state directory?");
    throw_errno("failed to lock " + path);
  }
  return fd;
}

void remove_all_but_lock(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) throw_errno("reading " + dir);
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != ".." && name != "lock") names.push_back(name);
  }
  ::closedir(d);
  for (const auto& name : names) remove_tree(dir + "/" + name);
}

}  // namespace

StateDir::StateDir(const std::string& requested) {
  if (requested.empty()) {
    path_ = make_temp_dir();
  } else {
    path_ = absolute(requested);
    while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
    make_dirs(path_, 0755);
  }
  try {
    dir_lock_ = UniqueFd(::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_lock_) throw_errno("opening " + path_);
    ::flock(dir_lock_.get(), LOCK_SH | LOCK_NB);
    lock_ = lock_file(path_);
  } catch (...) {
    if (requested.empty()) ::rmdir(path_.c_str());
    throw;
  }
  if (!requested.empty()) remove_all_but_lock(path_);
}

StateDir::~StateDir() {
  try {
    remove_tree(path_);
  } catch (const Error&) {
    // Nothing to say at exit: a file the user's command made unremovable stays.
  }
}

void StateDir::write_child_pid(pid_t pid) const {
  const std::string path = file("child_pid");
  const std::string tmp = path + ".tmp";
  write_file(tmp, std::to_string(pid), O_CREAT | O_TRUNC | O_EXCL, 0444);
  ::chmod(tmp.c_str(), 0444);  // whatever the umask
  if (::rename(tmp.c_str(), path.c_str()) < 0) throw_errno("writing " + path);
}

}  // namespace roost::ns
