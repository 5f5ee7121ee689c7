// roost check [--format json]: what this host gives rootless containers, one line per check (ok,
// warn, FAIL with the command that fixes it); exit 1 when something fails.
#include "check/host_check.hpp"
#include "check/live_probe.hpp"
#include "cli/engine/command.hpp"
#include "util/error.hpp"

namespace roost::cli {
namespace {

std::string format;

void add_options(CLI::App& cmd) {
  cmd.add_option("-f,--format", format, "json: an array of {name, status, detail, fix, fix_as_root}");
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  if (!format.empty() && format != "json")
    throw Error("--format " + format + ": the one format is json (the default is text lines)");
  const check::HostRoot host;
  const check::Caller caller = check::Caller::current();
  // The live test uses the store's own file system, where roost's layers will be mounted.
  const check::LiveFindings live = check::probe_live(engine::store_paths(global));
  const auto results = check::run_checks(host, caller, live);
  print_out(format == "json" ? check::format_json(results) : check::format_text(results));
  return check::any_failed(results) ? 1 : 0;
}

}  // namespace

const EngineCommand kCheckCommand{nullptr, "check", "diagnose this host for rootless containers (--format json)",
                                  add_options, run};

}  // namespace roost::cli
