// The JSON form of the container records (container.json, state.json, and the parts of
// monitor.json that are ctr types). Keys are the fields' names; a missing key keeps the field's
// default, so a record written by an older roost still reads; a key of the wrong type is a
// roost::Error naming it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ctr/container.hpp"

namespace roost::ctr {

void to_json(nlohmann::json& j, const PortMapping& p);
void from_json(const nlohmann::json& j, PortMapping& p);
void to_json(nlohmann::json& j, const MountRequest& m);
void from_json(const nlohmann::json& j, MountRequest& m);
void to_json(nlohmann::json& j, const RestartPolicy& r);
void from_json(const nlohmann::json& j, RestartPolicy& r);
void to_json(nlohmann::json& j, const ContainerConfig& c);
void from_json(const nlohmann::json& j, ContainerConfig& c);
void to_json(nlohmann::json& j, const ContainerState& s);
void from_json(const nlohmann::json& j, ContainerState& s);

// Whole documents: text in, text out (roost::Error for malformed text or a wrongly typed key).
std::string config_to_json_text(const ContainerConfig& c);
ContainerConfig config_from_json_text(const std::string& text);
std::string state_to_json_text(const ContainerState& s);
ContainerState state_from_json_text(const std::string& text);

}  // namespace roost::ctr
