// roost save -o FILE [--format docker-archive|oci-archive|oci-dir] REF...
#include "cli/engine/command.hpp"
#include "engine/transfer.hpp"

namespace roost::cli {
namespace {

std::string output, format = "docker-archive";
std::vector<std::string> refs;

void add_options(CLI::App& cmd) {
  cmd.add_option("-o,--output", output, "the file (or directory for oci-dir); default stdout when it is not a terminal");
  cmd.add_option("--format", format, "docker-archive (default), oci-archive or oci-dir");
  cmd.add_option("image", refs, "names or IDs")->required();
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  store::Store store = engine::open_store(global);
  engine::save_images(store, refs, output, format);
  return 0;
}

}  // namespace

const EngineCommand kSaveCommand{nullptr, "save", "write images to an archive", add_options, run};

}  // namespace roost::cli
