// The runtime's log: errors always reach stderr as one line; with --log they are also appended to a
// file, as text or as runc's JSON lines ({"level":..,"msg":..,"time":..}) that conmon and containerd read.
#pragma once

#include <string>

namespace roost::log {

enum class Format { Text, Json };

void configure(const std::string& file, Format format, bool debug);
// The name stderr lines start with ("roost-runtime" unless set: "roost ns", "rootlesskit").
void set_program_name(const std::string& name);
const std::string& program_name();
bool debug_enabled();
void debug(const std::string& msg);
void warn(const std::string& msg);
// Prints "<program>: <msg>" on stderr and logs it at level error.
void error(const std::string& msg);

}  // namespace roost::log
