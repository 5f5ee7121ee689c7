// roost system df [--format json]
#include "cli/engine/command.hpp"
#include "engine/system.hpp"
#include "util/error.hpp"

namespace roost::cli {
namespace {

std::string format;

void add_options(CLI::App& cmd) { cmd.add_option("--format", format, "json"); }

int run(const engine::GlobalOptions& global, CLI::App&) {
  if (!format.empty() && format != "json") throw Error("--format: only json is supported by system df");
  store::Store store = engine::open_store(global);
  print_out(engine::format_df(store.usage(), format));
  return 0;
}

}  // namespace

const EngineCommand kSystemDfCommand{"system", "df", "show the store's disk use", add_options, run};

}  // namespace roost::cli
