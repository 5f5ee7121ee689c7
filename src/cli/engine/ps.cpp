// roost ps [-a] [-q] [--no-trunc] [--format json|table|TEMPLATE] [--filter KEY=VALUE]
#include <ctime>

#include "cli/engine/command.hpp"
#include "engine/container_context.hpp"
#include "engine/container_list.hpp"

namespace roost::cli {
namespace {

engine::PsOptions options;

void add_options(CLI::App& cmd) {
  cmd.add_flag("-a,--all", options.all, "every container, not only running ones");
  cmd.add_flag("-q,--quiet", options.quiet, "print only IDs");
  cmd.add_flag("--no-trunc", options.no_trunc, "do not shorten IDs and commands");
  cmd.add_option("--format", options.format, "json, table, or a Go template ({{.ID}} {{.Names}} {{.Status}} ...)");
  cmd.add_option("-f,--filter", options.filters, "name=, id=, status=, label= (repeatable)")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  const ctr::ContainerStore containers = engine::open_containers(global);
  print_out(engine::ps_output(engine::list_containers(containers), options, std::time(nullptr)));
  return 0;
}

}  // namespace

const EngineCommand kPsCommand{nullptr, "ps", "list containers", add_options, run};

}  // namespace roost::cli
