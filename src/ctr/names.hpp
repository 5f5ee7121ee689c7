// Container names: the generated ones (adjective_surname, as Docker and podman make them, from
// lists of roost's own) and the rule a name given by the user must follow (podman's).
#pragma once

#include <string>

namespace roost::ctr {

// "brave_lovelace": a random adjective and a random surname (getrandom).
std::string generate_name();
// podman's rule, [a-zA-Z0-9][a-zA-Z0-9_.-]*; roost::Error in podman's words otherwise.
void check_name(const std::string& name);
bool is_valid_name(const std::string& name);

}  // namespace roost::ctr
