// `roost ns [FLAGS] COMMAND` (and the program when called as `rootlesskit`): the fake root.
#pragma once

#include <string>
#include <vector>

namespace roost::cli {

// `program` names it in messages ("roost ns" or "rootlesskit"); `args` are the words after it;
// `argv` the whole command line, for the child's re-exec. Returns the exit code.
int ns_run(const std::string& program, const std::vector<std::string>& args, const std::vector<std::string>& argv);

}  // namespace roost::cli
