// roost: one program for roost's commands. `roost ns ...` is the rootlesskit-compatible fake root,
// which is the static roost-ns program beside this one (exec'd: src/cli/roost/ns_exec.cpp); the
// image commands come later.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/roost/ns_exec.hpp"

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
    "roost ns is the roost-ns program beside roost; `rootlesskit` is a symlink to it.\n";

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> all(argv, argv + argc);
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string command = all[1];
  if (command == "ns") return roost::cli::exec_roost_ns({all.begin() + 2, all.end()});
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
