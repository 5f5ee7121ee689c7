// `roost ps`: the containers as podman 4.3 lists them. The table (CONTAINER ID, IMAGE, COMMAND,
// CREATED, STATUS, PORTS, NAMES), -q, --format json (podman's keys), a Go template, --filter;
// the status words ("Up 4 seconds ago", "Exited (3) 2 seconds ago", "Created"). Everything but
// list_containers is pure over records and a clock, so it is unit-tested without a store.
// list_containers reads records and /proc only: no process spawned, no namespace entered.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ctr/container.hpp"
#include "ctr/container_store.hpp"

namespace roost::engine {

struct ContainerView {
  ctr::ContainerConfig config;
  ctr::ContainerState state;  // as engine/container_context's current_state tells it
};

// Every container (oldest first), each with its truthful state.
std::vector<ContainerView> list_containers(const ctr::ContainerStore& containers);

// "Up 4 seconds ago", "Exited (3) 2 seconds ago", "Created", "Stopping", "Paused" (podman 4.3).
std::string status_text(const ctr::ContainerState& state, int64_t now);
// "127.0.0.1:8080->80/tcp, 0.0.0.0:8000-8001->90-91/udp": consecutive ports in one range, as podman.
std::string ports_text(const std::vector<ctr::PortMapping>& ports);
// The command column: the args joined by spaces, cut to 17 characters and "..." past 20 unless
// no_trunc.
std::string command_text(const std::vector<std::string>& args, bool no_trunc);
// The ports to show: as bound while running, as asked otherwise.
const std::vector<ctr::PortMapping>& shown_ports(const ContainerView& view);

// --filter KEY=VALUE: name (substring), id (prefix), status (podman's status word), label (KEY or
// KEY=VALUE). Several values of one key: any; different keys: all. roost::Error for other keys.
struct PsFilters {
  std::vector<std::string> names, ids, statuses, labels;
};
PsFilters parse_ps_filters(const std::vector<std::string>& filters);
bool matches(const ContainerView& view, const PsFilters& filters);

struct PsOptions {
  bool all = false;       // -a: not only running ones
  bool quiet = false;     // -q: ids only
  bool no_trunc = false;  // --no-trunc
  std::string format;     // "", "table", "json", "table TEMPLATE" or a template
  std::vector<std::string> filters;
};

// The whole output of `roost ps` for these containers at time `now` (Unix seconds).
std::string ps_output(const std::vector<ContainerView>& views, const PsOptions& options, int64_t now);

// One container as podman's `ps --format json` has it.
nlohmann::ordered_json ps_json(const ContainerView& view, int64_t now);
// The value a --format template sees ({{.ID}}, {{.Names}}, {{.Status}}, {{.Ports}}, ...).
nlohmann::json ps_template_value(const ContainerView& view, int64_t now, bool no_trunc);

}  // namespace roost::engine
