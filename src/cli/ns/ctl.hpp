// `roost ns ctl`: rootlessctl's commands against a roost ns (or rootlesskit) API socket, with
// rootlessctl's output formats: list-ports, add-ports, remove-ports, info, each with --json.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace roost::cli {

// `args` are the words after `ctl`. Returns the exit code: 0, 1 for a failure (one line
// "error: ..." on stderr), 2 for a usage error.
int ns_ctl(const std::vector<std::string>& args);
int ns_ctl(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace roost::cli
