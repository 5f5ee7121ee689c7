// roost: one program for roost's commands. `roost ns ...` is the rootlesskit-compatible fake root
// (also the whole program when called as `rootlesskit`); the engine's commands come later.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/ns/ctl.hpp"
#include "cli/ns/run.hpp"

#ifndef ROOST_VERSION
#define ROOST_VERSION "0.0.0"
#endif

namespace {

const char* kUsage =
    "Usage: roost COMMAND [ARGS...]\n"
    "\n"
    "Commands:\n"
    "  ns [FLAGS] CMD [ARGS...]   run CMD as a fake root (rootlesskit-compatible; roost ns --help)\n"
    "  ns ctl COMMAND             list-ports, add-ports, remove-ports, info of a running roost ns\n"
    "\n"
    "  --help, -h                 show this help\n"
    "  --version, -v              print the version\n"
    "\n"
    "Called as `rootlesskit`, the program is `roost ns`.\n";

std::string base_name(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> all(argv, argv + argc);
  const std::string self = all.empty() ? "roost" : base_name(all[0]);
  if (self == "rootlesskit") return roost::cli::ns_run("rootlesskit", {all.begin() + 1, all.end()}, all);
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string command = all[1];
  if (command == "ns") {
    if (argc > 2 && all[2] == "ctl") return roost::cli::ns_ctl({all.begin() + 3, all.end()});
    return roost::cli::ns_run("roost ns", {all.begin() + 2, all.end()}, all);
  }
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "--version" || command == "-v" || command == "version") {
    std::printf("roost version %s\n", ROOST_VERSION);
    return 0;
  }
  std::fprintf(stderr, "roost: unknown command \"%s\" (roost --help lists the commands)\n", command.c_str());
  return 2;
}
