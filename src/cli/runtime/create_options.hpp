// The options create and run share.
#pragma once

#include <CLI/CLI.hpp>

#include "container/lifecycle.hpp"

namespace roost::cli {

void add_create_options(CLI::App& cmd, CreateOptions& opts);

}  // namespace roost::cli
