// The options create and run share.
#pragma once

#include "container/lifecycle.hpp"
#include "util/option_parser.hpp"

namespace roost::cli {

void add_create_options(OptionParser& cmd, CreateOptions& opts);

}  // namespace roost::cli
