// roost-runtime features: what this build implements, as runtime-spec features.md says.
#include "cli/runtime/command.hpp"
#include "container/features.hpp"

namespace roost::cli {
namespace {

void add_options(OptionParser&) {}

int run(const Runtime&) {
  write_out(features_json());
  return 0;
}

}  // namespace

const Command kFeaturesCommand{"features", "print the features this runtime implements (JSON)", add_options, run};

}  // namespace roost::cli
