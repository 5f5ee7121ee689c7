#include "ns/api/api_json.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <climits>
#include <limits>
#include <sstream>

#include "ns/api/go_json.hpp"
#include "util/error.hpp"

namespace roost::ns {

using Json = nlohmann::ordered_json;

namespace {

void write_spec(GoJsonWriter& w, const PortSpec& spec) {
  w.begin_object();
  if (!spec.proto.empty()) w.key("proto"), w.string(spec.proto);
  if (!spec.parent_ip.empty()) w.key("parentIP"), w.string(spec.parent_ip);
  if (spec.parent_port != 0) w.key("parentPort"), w.number(spec.parent_port);
  if (spec.child_port != 0) w.key("childPort"), w.number(spec.child_port);
  if (!spec.child_ip.empty()) w.key("childIP"), w.string(spec.child_ip);
  w.end_object();
}

void write_status(GoJsonWriter& w, const PortStatus& status) {
  w.begin_object();
  w.key("id"), w.number(status.id);
  w.key("spec"), write_spec(w, status.spec);
  w.end_object();
}

void write_strings(GoJsonWriter& w, const std::vector<std::string>& values) {
  w.begin_array();
  for (const std::string& v : values) w.string(v);
  w.end_array();
}

}  // namespace

std::string info_json(const InfoDocument& info, int indent) {
  GoJsonWriter w(indent);
  w.begin_object();
  w.key("apiVersion"), w.string(info.api_version);
  w.key("version"), w.string(info.version);
  w.key("stateDir"), w.string(info.state_dir);
  w.key("childPID"), w.number(info.child_pid);
  if (info.network) {
    w.key("networkDriver"), w.begin_object();
    w.key("driver"), w.string(info.network->driver);
    if (!info.network->dns.empty()) w.key("dns"), write_strings(w, info.network->dns);
    if (!info.network->child_ip.empty()) w.key("childIP"), w.string(info.network->child_ip);
    if (info.network->dynamic_child_ip) w.key("dynamicChildIP"), w.boolean(true);
    w.end_object();
  }
  if (info.ports) {
    w.key("portDriver"), w.begin_object();
    w.key("driver"), w.string(info.ports->driver);
    w.key("protos");
    if (info.ports->protos.empty()) w.null();
    else write_strings(w, info.ports->protos);
    if (info.ports->disallow_loopback_child_ip) w.key("disallowLoopbackChildIP"), w.boolean(true);
    w.end_object();
  }
  w.end_object();
  return w.text();
}

std::string port_spec_json(const PortSpec& spec) {
  GoJsonWriter w;
  write_spec(w, spec);
  return w.text();
}

std::string port_status_json(const PortStatus& status) {
  GoJsonWriter w;
  write_status(w, status);
  return w.text();
}

std::string port_list_json(const std::vector<PortStatus>& ports) {
  if (ports.empty()) return "null";
  GoJsonWriter w;
  w.begin_array();
  for (const PortStatus& p : ports) write_status(w, p);
  w.end_array();
  return w.text();
}

std::string error_json(std::string_view message) {
  GoJsonWriter w;
  w.begin_object();
  w.key("message"), w.string(message);
  w.end_object();
  return w.text() + "\n";
}

namespace {

// Go's name for the kind of a JSON value, in "cannot unmarshal KIND into ...".
std::string go_kind(const Json& value) {
  if (value.is_string()) return "string";
  if (value.is_boolean()) return "bool";
  if (value.is_array()) return "array";
  if (value.is_object()) return "object";
  return "number";
}

// What Go's decoder says about a syntax error, where roost knows it: an empty body, a cut one,
// and a bad top-level literal ("not json"). Other syntax errors carry nlohmann's description.
std::string syntax_error_text(std::string_view body, const nlohmann::json::parse_error& e) {
  size_t start = 0;
  while (start < body.size() && std::isspace(static_cast<unsigned char>(body[start]))) start++;
  if (start == body.size()) return "EOF";
  for (std::string_view literal : {"null", "true", "false"}) {
    if (body[start] != literal[0]) continue;
    for (size_t i = 1; i < literal.size(); i++) {
      if (start + i >= body.size()) return "unexpected EOF";
      if (body[start + i] != literal[i])
        return std::string("invalid character '") + body[start + i] + "' in literal " + std::string(literal) +
               " (expecting '" + literal[i] + "')";
    }
  }
  if (e.byte > body.size()) return "unexpected EOF";
  if (std::string_view("{[\"-0123456789tfn").find(body[start]) == std::string_view::npos)
    return std::string("invalid character '") + body[start] + "' looking for beginning of value";
  return e.what();
}

Json parse_first_value(std::string_view body) {
  std::istringstream in{std::string(body)};
  Json value;
  try {
    in >> value;  // the stream form stops after the first value, as Go's Decoder.Decode does
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(syntax_error_text(body, e));
  } catch (const nlohmann::json::exception& e) {  // a number beyond a double ("1E999"): still a 400
    throw Error(e.what());
  }
  return value;
}

// Go's decoding of one field: `field_path` is "Spec.parentPort" for the message.
struct FieldDecoder {
  std::string first_error;  // Go reports the first type mismatch once the value is read

  void mismatch(const Json& value, const std::string& field_path, const std::string& go_type) {
    if (!first_error.empty()) return;
    std::string what = go_kind(value);
    if (value.is_number() && go_type == "int") what += " " + value.dump();
    first_error = "json: cannot unmarshal " + what + " into Go struct field " + field_path + " of type " + go_type;
  }
  void read(const Json& value, const std::string& path, std::string& out) {
    if (value.is_null()) return;
    if (!value.is_string()) return mismatch(value, path, "string");
    out = value.get<std::string>();
  }
  // Go's int is 64 bits: a number that fits one is taken, and one outside this int's range is
  // kept as INT_MIN, which validation rejects as Go's does any port that is not a rune ('\ufffd').
  template <typename Int>
  void read(const Json& value, const std::string& path, Int& out) {
    if (value.is_null()) return;
    bool fits_int64 = value.is_number_integer() && (!value.is_number_unsigned() ||
                                                   value.get<unsigned long long>() <= (unsigned long long)LLONG_MAX);
    if (!fits_int64) return mismatch(value, path, "int");
    long long n = value.get<long long>();
    out = n < std::numeric_limits<Int>::min() || n > std::numeric_limits<Int>::max() ? std::numeric_limits<Int>::min() : Int(n);
  }
  void read(const Json& value, const std::string& path, bool& out) {
    if (value.is_null()) return;
    if (!value.is_boolean()) return mismatch(value, path, "bool");
    out = value.get<bool>();
  }
  void read(const Json& value, const std::string& path, std::vector<std::string>& out) {
    if (value.is_null()) return;
    if (!value.is_array()) return mismatch(value, path, "[]string");
    out.clear();
    for (const Json& item : value) {
      std::string s;
      read(item, path, s);
      out.push_back(s);
    }
  }
};

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// Calls `field(name, value)` for each member whose name matches one of Go's fields, ignoring case.
template <typename Field>
void each_member(const Json& object, std::initializer_list<const char*> names, Field field) {
  for (const auto& [key, value] : object.items())
    for (const char* name : names)
      if (same_name(key, name)) field(std::string(name), value);
}

void check_object(const Json& value, const std::string& go_type) {
  if (!value.is_object() && !value.is_null())
    throw Error("json: cannot unmarshal " + go_kind(value) + " into Go value of type " + go_type);
}

PortSpec spec_from(const Json& value, FieldDecoder& d, const std::string& type) {
  PortSpec spec;
  if (!value.is_object()) return spec;
  each_member(value, {"proto", "parentIP", "parentPort", "childPort", "childIP"}, [&](const std::string& name, const Json& v) {
    std::string path = type + "." + name;
    if (name == "proto") d.read(v, path, spec.proto);
    else if (name == "parentIP") d.read(v, path, spec.parent_ip);
    else if (name == "parentPort") d.read(v, path, spec.parent_port);
    else if (name == "childPort") d.read(v, path, spec.child_port);
    else d.read(v, path, spec.child_ip);
  });
  return spec;
}

PortStatus status_from(const Json& value, FieldDecoder& d) {
  PortStatus status;
  if (!value.is_object()) return status;
  each_member(value, {"id", "spec"}, [&](const std::string& name, const Json& v) {
    if (name == "id") d.read(v, "Status.id", status.id);
    else if (!v.is_null() && !v.is_object()) d.mismatch(v, "Status.spec", "port.Spec");
    else status.spec = spec_from(v, d, "Status.spec");
  });
  return status;
}

void throw_first(const FieldDecoder& d) {
  if (!d.first_error.empty()) throw Error(d.first_error);
}

// One JSON object read into a Go type named `go_type` by `from(value, decoder)`.
template <typename From>
auto decode_object(std::string_view body, const std::string& go_type, From from) {
  Json value = parse_first_value(body);
  check_object(value, go_type);
  FieldDecoder d;
  auto result = from(value, d);
  throw_first(d);
  return result;
}

InfoDocument::Network network_from(const Json& v, FieldDecoder& d) {
  InfoDocument::Network net;
  each_member(v, {"driver", "dns", "childIP", "dynamicChildIP"}, [&](const std::string& n, const Json& f) {
    if (n == "driver") d.read(f, "Info.networkDriver.driver", net.driver);
    else if (n == "dns") d.read(f, "Info.networkDriver.dns", net.dns);
    else if (n == "childIP") d.read(f, "Info.networkDriver.childIP", net.child_ip);
    else d.read(f, "Info.networkDriver.dynamicChildIP", net.dynamic_child_ip);
  });
  return net;
}

InfoDocument::Ports ports_from(const Json& v, FieldDecoder& d) {
  InfoDocument::Ports ports;
  each_member(v, {"driver", "protos", "disallowLoopbackChildIP"}, [&](const std::string& n, const Json& f) {
    if (n == "driver") d.read(f, "Info.portDriver.driver", ports.driver);
    else if (n == "protos") d.read(f, "Info.portDriver.protos", ports.protos);
    else d.read(f, "Info.portDriver.disallowLoopbackChildIP", ports.disallow_loopback_child_ip);
  });
  return ports;
}

InfoDocument info_from(const Json& value, FieldDecoder& d) {
  InfoDocument info;
  if (!value.is_object()) return info;
  each_member(value, {"apiVersion", "version", "stateDir", "childPID", "networkDriver", "portDriver"},
              [&](const std::string& name, const Json& v) {
                if (name == "apiVersion") d.read(v, "Info.apiVersion", info.api_version);
                else if (name == "version") d.read(v, "Info.version", info.version);
                else if (name == "stateDir") d.read(v, "Info.stateDir", info.state_dir);
                else if (name == "childPID") d.read(v, "Info.childPID", info.child_pid);
                else if (name == "networkDriver" && v.is_object()) info.network = network_from(v, d);
                else if (name == "portDriver" && v.is_object()) info.ports = ports_from(v, d);
              });
  return info;
}

}  // namespace

PortSpec decode_port_spec(std::string_view body) {
  return decode_object(body, "port.Spec", [](const Json& v, FieldDecoder& d) { return spec_from(v, d, "Spec"); });
}

PortStatus decode_port_status(std::string_view body) { return decode_object(body, "port.Status", status_from); }

InfoDocument decode_info(std::string_view body) { return decode_object(body, "api.Info", info_from); }

std::vector<PortStatus> decode_port_list(std::string_view body) {
  Json value = parse_first_value(body);
  if (!value.is_array() && !value.is_null())
    throw Error("json: cannot unmarshal " + go_kind(value) + " into Go value of type []*port.Status");
  std::vector<PortStatus> out;
  FieldDecoder d;
  if (value.is_array())
    for (const Json& item : value) out.push_back(status_from(item, d));
  throw_first(d);
  return out;
}

std::string decode_error_message(std::string_view body) {
  try {
    Json value = parse_first_value(body);
    if (value.is_object() && value.contains("message") && value["message"].is_string())
      return value["message"].get<std::string>();
  } catch (const Error&) {
  }
  std::string text(body);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace roost::ns
