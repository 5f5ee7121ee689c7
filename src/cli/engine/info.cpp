// roost info [--format json|TEMPLATE]
#include "cli/engine/command.hpp"
#include "engine/info.hpp"
#include "engine/template.hpp"

namespace roost::cli {
namespace {

std::string format;

void add_options(CLI::App& cmd) { cmd.add_option("-f,--format", format, "json, or a Go template ({{.store.graphDriverName}})"); }

int run(const engine::GlobalOptions& global, CLI::App&) {
  store::Store store = engine::open_store(global);
  const nlohmann::ordered_json info = engine::gather_info(store);
  if (format == "json")
    print_out(info.dump(4) + "\n");
  else if (!format.empty())
    print_out(engine::Template(format).render(nlohmann::json(info)));
  else
    print_out(engine::info_yaml(info));
  return 0;
}

}  // namespace

const EngineCommand kInfoCommand{nullptr, "info", "show the store, its overlay driver, id maps, inflater", add_options, run};

}  // namespace roost::cli
