// The JSON of rootlesskit's REST API (v1.1.1), byte for byte as rootlesskit 1.1 writes it: field
// names and order, omitempty, `null` for an empty port list, Go's escaping, and the error body
// `{"message":"..."}` plus newline. Pure functions: the socket side is api_server.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ns/port/port_manager.hpp"

namespace roost::ns {

inline constexpr const char* api_version = "1.1.1";

// GET /v1/info as the wire has it (rootlesskit's api.Info).
struct InfoDocument {
  struct Network {
    std::string driver;
    std::vector<std::string> dns;  // omitempty
    std::string child_ip;          // omitempty
    bool dynamic_child_ip = false; // omitempty
  };
  struct Ports {
    std::string driver;
    std::vector<std::string> protos;  // always written: null when empty, as Go's nil slice
    bool disallow_loopback_child_ip = false;  // omitempty
  };
  std::string api_version;
  std::string version;
  std::string state_dir;
  long long child_pid = 0;
  std::optional<Network> network;  // omitted when absent
  std::optional<Ports> ports;      // omitted when absent
};

// `indent` 0: compact, as the server sends it; 4: json.MarshalIndent, as `rootlessctl info --json`.
std::string info_json(const InfoDocument& info, int indent = 0);
std::string port_spec_json(const PortSpec& spec);
std::string port_status_json(const PortStatus& status);
std::string port_list_json(const std::vector<PortStatus>& ports);  // "null" when empty
std::string error_json(std::string_view message);                  // with the trailing newline

// Decoding as Go's json.Decoder into rootlesskit's types: unknown fields ignored, names matched
// without regard to case, null leaves a field zero, text after the first value ignored. Throws
// roost::Error with Go's message where roost matches it ("EOF", "json: cannot unmarshal string
// into Go struct field Spec.parentPort of type int", literal errors at the top level).
PortSpec decode_port_spec(std::string_view body);
PortStatus decode_port_status(std::string_view body);
std::vector<PortStatus> decode_port_list(std::string_view body);
InfoDocument decode_info(std::string_view body);
std::string decode_error_message(std::string_view body);  // the body itself when it has no message

}  // namespace roost::ns
