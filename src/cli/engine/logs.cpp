// roost logs [-f] [--tail N] [--since T] [--until T] [-t] CTR
#include "cli/engine/command.hpp"
#include "engine/container_context.hpp"
#include "engine/container_logs.hpp"

namespace roost::cli {
namespace {

std::string name;
engine::LogsRequest request;
long tail = -1;

void add_options(CLI::App& cmd) {
  cmd.add_flag("-f,--follow", request.follow, "keep printing what the container writes until it exits");
  cmd.add_option("-n,--tail", tail, "only the last N lines (-1: all)");
  cmd.add_option("--since", request.since, "only lines since this time (RFC 3339, Unix seconds, or a duration: 10m)");
  cmd.add_option("--until", request.until, "only lines until this time");
  cmd.add_flag("-t,--timestamps", request.timestamps, "prefix each line with its time");
  cmd.add_option("container", name, "name or ID")->required();
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  if (tail >= 0) request.tail = static_cast<size_t>(tail);
  const ctr::ContainerStore containers = engine::open_containers(global);
  engine::show_logs(containers, engine::require_container(containers, name), request);
  return 0;
}

}  // namespace

const EngineCommand kLogsCommand{nullptr, "logs", "show a container's output", add_options, run};

}  // namespace roost::cli
