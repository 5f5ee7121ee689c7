// roost volume create [--label K=V]... [--opt K=V]... [NAME]
#include "cli/engine/command.hpp"
#include "ctr/volume_store.hpp"
#include "engine/volume_ops.hpp"
#include "util/error.hpp"

namespace roost::cli {
namespace {

std::string name;
std::vector<std::string> labels, opts;
std::string driver = "local";

void add_options(CLI::App& cmd) {
  cmd.add_option("-l,--label", labels, "a label KEY=VALUE (repeatable)")->allow_extra_args(false);
  cmd.add_option("-o,--opt", opts, "a driver option KEY=VALUE (roost's local driver has none yet)")->allow_extra_args(false);
  cmd.add_option("-d,--driver", driver, "the volume driver (only local)");
  cmd.add_option("name", name, "the volume's name (default: 64 random hex digits)");
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  if (driver != "local") throw roost::Error("volume driver " + driver + " is not supported (roost has local only)");
  engine::check_volume_opts(opts);
  ctr::VolumeStore volumes(engine::store_paths(global).data_root);
  print_out(volumes.create(name, engine::parse_volume_labels(labels)).name + "\n");
  return 0;
}

}  // namespace

const EngineCommand kVolumeCreateCommand{"volume", "create", "create a named volume (prints its name)", add_options,
                                         run};

}  // namespace roost::cli
