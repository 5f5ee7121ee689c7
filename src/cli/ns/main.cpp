// roost-ns: the fake root on its own (`roost ns ...` execs it; `rootlesskit` is a symlink to it).
// A program of its own, linked statically, because its parent and child stay resident for the
// whole life of the user's command (src/cli/ns/CMakeLists.txt); the roost program, which needs
// dlopen for the image commands, stays dynamic and hands `ns` over to this one.
#include <string>
#include <vector>

#include "cli/ns/ctl.hpp"
#include "cli/ns/run.hpp"

namespace {

std::string base_name(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> all(argv, argv + argc);
  const std::string self = all.empty() ? "roost-ns" : base_name(all[0]);
  const std::vector<std::string> args = all.empty() ? all : std::vector<std::string>(all.begin() + 1, all.end());
  if (self == "rootlesskit") return roost::cli::ns_run("rootlesskit", args, all);
  if (!args.empty() && args[0] == "ctl") return roost::cli::ns_ctl({args.begin() + 1, args.end()});
  return roost::cli::ns_run("roost ns", args, all);
}
