// `roost ns ...`: the fake root is the roost-ns program beside this one (static, for its resident
// set); roost replaces itself with it.
#pragma once

#include <string>
#include <vector>

namespace roost::cli {

// Execs <directory of /proc/self/exe>/roost-ns with argv "roost-ns" + args. Returns only on
// failure, with the exit code after printing one error line.
int exec_roost_ns(const std::vector<std::string>& args);

}  // namespace roost::cli
