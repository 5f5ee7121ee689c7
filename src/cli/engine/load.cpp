// roost load [-i FILE] [-q]
#include "cli/engine/command.hpp"
#include "engine/transfer.hpp"

namespace roost::cli {
namespace {

std::string input;
bool quiet = false;

void add_options(CLI::App& cmd) {
  cmd.add_option("-i,--input", input, "an archive (docker-archive, oci-archive, compressed or not) or an OCI layout directory; default stdin");
  cmd.add_flag("-q,--quiet", quiet, "no progress");
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  store::Store store = engine::open_store(global);
  engine::Progress progress(engine::progress_mode_for_stderr(quiet) == engine::ProgressMode::Quiet
                                ? engine::ProgressMode::Quiet
                                : engine::ProgressMode::Plain);
  print_out(engine::load_images(store, input, progress));
  return 0;
}

}  // namespace

const EngineCommand kLoadCommand{nullptr, "load", "store the images of an archive or OCI layout", add_options, run};

}  // namespace roost::cli
