// roost start [-a] [-i] CTR...: each container started; with -a (one container) its output
// relayed until it exits, and roost exits with its code.
#include "cli/engine/command.hpp"
#include "engine/container_context.hpp"
#include "engine/container_start.hpp"
#include "monitor/ctl_client.hpp"
#include "util/error.hpp"

namespace roost::cli {
namespace {

std::vector<std::string> names;
bool attach = false, interactive = false;

void add_options(CLI::App& cmd) {
  cmd.add_flag("-a,--attach", attach, "relay the container's output (and stdin with -i) until it exits");
  cmd.add_flag("-i,--interactive", interactive, "feed the container's stdin (with -a)");
  cmd.add_option("container", names, "names or IDs")->required();
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  if (attach && names.size() > 1) throw Error("you cannot start and attach multiple containers at once");
  ctr::ContainerStore containers = engine::open_containers(global);
  if (attach) {
    const std::string id = engine::require_container(containers, names.front());
    const ctr::ContainerConfig config = engine::container_config(containers, id);
    engine::StartResult started;
    try {
      started = engine::start_container(containers, id, {true, interactive && config.interactive});
    } catch (const Error& e) {
      std::fprintf(stderr, "Error: %s\n", e.what());
      const auto* start = dynamic_cast<const engine::StartError*>(&e);
    return start ? start->exit_code() : 125;
    }
    if (started.already_running) {
      // Running already: attach to it as it is.
      started.attach = monitor::attach(containers.paths(id).ctl_socket().string(), interactive && config.interactive);
    }
    const int code = monitor::attach_relay(std::move(started.attach), interactive && config.interactive, config.tty);
    return code >= 0 ? code : engine::current_state(containers, id).exit_code.value_or(125);
  }
  return for_each_container(containers, names, [&](const std::string& id) { engine::start_container(containers, id, {}); });
}

}  // namespace

const EngineCommand kStartCommand{nullptr, "start", "start created or exited containers", add_options, run};

}  // namespace roost::cli
