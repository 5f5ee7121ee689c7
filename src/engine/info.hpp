// `roost info`: where the store is, which overlay driver the probe chose and why, the id maps of
// the user namespace, the gzip inflater, the kernel; YAML-like by default (as podman), JSON with
// --format json, or a --format template.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "store/store.hpp"

namespace roost::engine {

// Gathers it (runs inside the user namespace: the overlay probe mounts there).
nlohmann::ordered_json gather_info(store::Store& store);
// podman's layout: nested keys indented by two, scalars after "key: ".
std::string info_yaml(const nlohmann::ordered_json& info);

}  // namespace roost::engine
