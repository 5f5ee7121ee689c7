// roost version: podman's Client block (Version, API Version, Go Version, Built, OS/Arch).
#include <sys/stat.h>
#include <sys/utsname.h>

#include <ctime>

#include "cli/engine/command.hpp"

#ifndef ROOST_VERSION
#define ROOST_VERSION "0.0.0"
#endif

namespace roost::cli {
namespace {

void add_options(CLI::App&) {}

// When this program was built: its file's modification time, in Go's time.ANSIC layout as podman
// prints it ("Thu Jan  1 00:00:00 1970").
std::string built() {
  struct stat st{};
  if (::stat("/proc/self/exe", &st) != 0) return "unknown";
  char buf[64];
  struct tm tm{};
  ::localtime_r(&st.st_mtime, &tm);
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);
  return buf;
}

// Go's GOARCH names for the machine uname gives.
std::string go_arch() {
  struct utsname u{};
  ::uname(&u);
  const std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  if (m == "i686" || m == "i386") return "386";
  return m;
}

int run(const engine::GlobalOptions&, CLI::App&) {
  print_out(std::string("Client:       roost\n") + "Version:      " ROOST_VERSION "\n" + "API Version:  " ROOST_VERSION "\n" +
            "Go Version:   n/a\n" + "Built:        " + built() + "\n" + "OS/Arch:      linux/" + go_arch() + "\n");
  return 0;
}

}  // namespace

const EngineCommand kVersionCommand{nullptr, "version", "show roost's version", add_options, run};

}  // namespace roost::cli
