// The features document of `roost-runtime features`. It lives here, above sys/, because it lists
// what the kernel wrappers (capabilities, seccomp) and the spec parser accept.
#pragma once

#include <string>

namespace roost {

// The runtime-spec features.md document, listing only what this build implements.
std::string features_json();

}  // namespace roost
