#include "cli/roost/ns_exec.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace roost::cli {
namespace {

// The directory of the running executable, found through /proc/self/exe so that a roost started
// through a symlink or from PATH still finds its own roost-ns, never another one on PATH.
std::string exe_directory() {
  std::string buf(4096, '\0');
  ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size());
  if (n <= 0 || static_cast<size_t>(n) >= buf.size()) return {};
  buf.resize(static_cast<size_t>(n));
  size_t slash = buf.rfind('/');
  return slash == std::string::npos ? std::string() : buf.substr(0, slash);
}

}  // namespace

int exec_roost_ns(const std::vector<std::string>& args) {
  const std::string dir = exe_directory();
  if (dir.empty()) {
    std::fprintf(stderr, "Error: roost ns: cannot read /proc/self/exe: %s\n", std::strerror(errno));
    return 125;
  }
  const std::string path = dir + "/roost-ns";
  std::vector<char*> argv;
  std::string name = "roost-ns";
  argv.push_back(name.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(path.c_str(), argv.data());
  const int err = errno;
  if (err == ENOENT)
    std::fprintf(stderr, "Error: roost ns: %s is missing (roost ns runs the roost-ns program installed beside roost)\n",
                 path.c_str());
  else
    std::fprintf(stderr, "Error: roost ns: exec %s: %s\n", path.c_str(), std::strerror(err));
  return 125;
}

}  // namespace roost::cli
