// Test helper (tests/ns/api.bats): `roost ns ctl` as a program of its own, until the roost
// program (branch ns-core) calls roost::cli::ns_ctl from `roost ns ctl`.
#include <string>
#include <vector>

#include "cli/ns/ctl.hpp"

int main(int argc, char** argv) { return roost::cli::ns_ctl(std::vector<std::string>(argv + 1, argv + argc)); }
