// roost volume ls [-q] [--format json|TEMPLATE] [--filter KEY=VALUE]...
#include <algorithm>

#include "cli/engine/command.hpp"
#include "ctr/volume_store.hpp"
#include "engine/volume_ops.hpp"

namespace roost::cli {
namespace {

bool quiet = false;
std::string format;
std::vector<std::string> filters;

void add_options(CLI::App& cmd) {
  cmd.add_flag("-q,--quiet", quiet, "print the names alone");
  cmd.add_option("--format", format, "json, or a Go template per volume ({{.Name}}, {{.Driver}}, ...)");
  cmd.add_option("-f,--filter", filters, "name=REGEX, label=KEY[=VALUE], driver=local (repeatable)")->allow_extra_args(false);
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  const engine::VolumeFilter filter(filters);
  std::vector<ctr::VolumeInfo> volumes = ctr::VolumeStore(engine::store_paths(global).data_root).list();
  std::erase_if(volumes, [&](const ctr::VolumeInfo& v) { return !filter.matches(v); });
  print_out(engine::volume_list_output(volumes, quiet, format));
  return 0;
}

}  // namespace

const EngineCommand kVolumeLsCommand{"volume", "ls", "list named volumes", add_options, run};

}  // namespace roost::cli
