// roost port CTR [PORT[/PROTO]]: "80/tcp -> 127.0.0.1:8080" per published port, or the host
// address of one.
#include "cli/engine/command.hpp"
#include "engine/container_context.hpp"
#include "engine/container_list.hpp"
#include "util/error.hpp"

namespace roost::cli {
namespace {

std::string name, private_port;

void add_options(CLI::App& cmd) {
  cmd.add_option("container", name, "name or ID")->required();
  cmd.add_option("port", private_port, "the container's port, PORT[/tcp|udp]");
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  const ctr::ContainerStore containers = engine::open_containers(global);
  const std::string id = engine::require_container(containers, name);
  const engine::ContainerView view{engine::container_config(containers, id), engine::current_state(containers, id)};
  std::string wanted = private_port;
  if (!wanted.empty() && wanted.find('/') == std::string::npos) wanted += "/tcp";
  std::string out;
  for (const ctr::PortMapping& p : engine::shown_ports(view)) {
    const std::string key = std::to_string(p.container_port) + "/" + p.protocol;
    const std::string host = (p.host_ip.empty() ? "0.0.0.0" : p.host_ip) + ":" + std::to_string(p.host_port);
    if (wanted.empty()) out += key + " -> " + host + "\n";
    else if (key == wanted) out += host + "\n";
  }
  if (!wanted.empty() && out.empty()) throw Error("failed to find published port \"" + wanted + "\"");
  print_out(out);
  return 0;
}

}  // namespace

const EngineCommand kPortCommand{nullptr, "port", "list a container's published ports", add_options, run};

}  // namespace roost::cli
