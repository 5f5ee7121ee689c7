// Signal names as kill(1), runc and crun accept them: "KILL", "SIGKILL", "9", "RTMIN+3".
#pragma once

#include <string>

namespace roost {

// Returns the signal number; throws roost::Error for an unknown name or number.
int parse_signal(const std::string& text);

}  // namespace roost
