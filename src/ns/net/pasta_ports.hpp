// The -p specs in pasta's own syntax (-t/-u "[ADDR/]PORT[:TARGET]"): pasta 2023-03-09 has no
// control socket, so the implicit port driver's ports are fixed when pasta starts.
#pragma once

#include <string>
#include <vector>

#include "ns/port/port_spec.hpp"

namespace roost::ns {

// {"-t", "127.0.0.1/8080:80", "-u", "5353"}; throws roost::Error naming what pasta 2023-03-09 lacks
// (SCTP, a chosen child address).
std::vector<std::string> pasta_port_arguments(const std::vector<PortSpec>& specs);

}  // namespace roost::ns
