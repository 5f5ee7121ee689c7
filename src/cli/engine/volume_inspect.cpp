// roost volume inspect [--format json|TEMPLATE] NAME...
#include <cstdio>

#include "cli/engine/command.hpp"
#include "ctr/volume_store.hpp"
#include "engine/volume_ops.hpp"

namespace roost::cli {
namespace {

std::vector<std::string> names;
std::string format;

void add_options(CLI::App& cmd) {
  cmd.add_option("-f,--format", format, "json, or a Go template per volume ({{.Mountpoint}}, ...)");
  cmd.add_option("name", names, "volume names")->required();
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  const ctr::VolumeStore volumes(engine::store_paths(global).data_root);
  std::vector<ctr::VolumeInfo> found;
  std::vector<std::string> missing;
  for (const std::string& name : names) {
    if (auto v = volumes.find(name))
      found.push_back(std::move(*v));
    else
      missing.push_back(name);
  }
  // podman prints what it found, then fails for what it did not.
  print_out(engine::volume_inspect_output(found, format));
  for (const std::string& name : missing) std::fprintf(stderr, "Error: inspecting object: no such volume %s\n", name.c_str());
  return missing.empty() ? 0 : 125;
}

}  // namespace

const EngineCommand kVolumeInspectCommand{"volume", "inspect", "show volumes as JSON", add_options, run};

}  // namespace roost::cli
