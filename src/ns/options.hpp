// roost ns's command line: every flag of rootlesskit v1.1 and v2 (and v3's --source-ip-transparent),
// in Go's flag syntax (-flag and --flag, -flag=v and -flag v, bools as -flag or -flag=false; the
// options end at the first word that is not a flag), and rootlesskit's rules on how they combine.
#pragma once

#include <string>
#include <vector>

#include "ns/net/network_options.hpp"
#include "ns/port/port_driver.hpp"
#include "ns/port/port_spec.hpp"

namespace roost::ns {

// The rootlesskit version roost ns answers as (--version, --print-semver, GET /v1/info): the v2
// line, whose flags (--detach-netns, --net=pasta|none) roost ns has.
inline constexpr const char* kRootlesskitVersion = "2.3.6";

struct NsOptions {
  bool debug = false;
  bool help = false;
  bool version = false;
  std::string print_semver;        // major, minor, patch

  std::string state_dir;           // empty: a fresh one under $TMPDIR, removed at exit
  NetworkOptions network;
  PortDriverOptions port;
  std::vector<std::string> publish_text;  // -p as given; parsed after the driver rules, as rootlesskit
  std::vector<PortSpec> publish;

  std::vector<std::string> copy_up;
  std::string copy_up_mode = "tmpfs+symlink";
  std::string propagation = "rprivate";

  bool pidns = false, cgroupns = false, utsns = false, ipcns = false;
  std::string reaper = "auto";     // auto, true, false
  std::string evacuate_cgroup2;
  std::string subid_source = "auto";  // auto, dynamic, static

  std::vector<std::string> command;

  // --reaper resolved: auto means "with --pidns".
  bool reap() const { return reaper == "true" || (reaper == "auto" && pidns); }
};

// Parses argv after the program name (and after "ns" for `roost ns`). Throws roost::Error with
// Go's flag wording ("flag provided but not defined: -bogus") or rootlesskit's rule that was
// broken ("port driver requires non-host network"). --help, --version and --print-semver need
// no command; anything else does ("no command specified").
NsOptions parse_ns_options(const std::vector<std::string>& args);

// Checks how the options combine, as rootlesskit does; parse_ns_options calls it.
void validate_ns_options(const NsOptions& opts);

// Warnings rootlesskit prints for legal but doubtful combinations (one line each).
std::vector<std::string> ns_option_warnings(const NsOptions& opts);

// The --help text: every flag, --detach-netns among them (nerdctl probes for that word).
std::string ns_help_text(const std::string& program);

}  // namespace roost::ns
