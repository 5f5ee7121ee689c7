// `roost inspect CONTAINER`: a container as podman 4.3 (and Docker) describe it, with their field
// names and casing: Id, Created, Path, Args, State{...}, Image, ImageName, Name, RestartCount,
// Mounts, Config{...}, HostConfig{...}, NetworkSettings{Ports}. Pure over the records and paths;
// the array around the items is engine/inspect's inspect_output (podman's five-space indent).
#pragma once

#include <nlohmann/json.hpp>

#include "ctr/container_store.hpp"
#include "engine/container_list.hpp"

namespace roost::engine {

nlohmann::ordered_json container_inspect_json(const ContainerView& view, const ctr::ContainerPaths& paths);

// Go's zero time as RFC 3339, for a time that never happened ("0001-01-01T00:00:00Z").
inline constexpr const char* kGoZeroTimeText = "0001-01-01T00:00:00Z";

}  // namespace roost::engine
