#include "cli/ns/ctl.hpp"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <iostream>
#include <ostream>

#include "http/client.hpp"
#include "ns/api/api_json.hpp"
#include "ns/port/go_format.hpp"
#include "util/error.hpp"

namespace roost::cli {

namespace {

using ns::InfoDocument;
using ns::PortStatus;

struct UsageError : Error {
  using Error::Error;
};

const char* const usage =
    "usage: roost ns ctl [--socket PATH] COMMAND [ARGS]\n"
    "  --socket PATH        the API socket (default: $ROOTLESSKIT_STATE_DIR/api.sock)\n"
    "  list-ports [--json]  the published ports\n"
    "  add-ports [--json] SPEC...  publish [PARENTIP:]PARENTPORT[:CHILDIP]:CHILDPORT/PROTO\n"
    "  remove-ports ID...   stop publishing\n"
    "  info [--json]        the API's and drivers' description\n";

// Go's text/tabwriter as rootlessctl sets it up (minwidth 4, padding 4, blanks, every cell
// ended by a tab): each column as wide as its widest cell plus 4.
std::string tabulate(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); i++) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], std::max<size_t>(row[i].size() + 4, 4));
    }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); i++) out += row[i] + std::string(widths[i] - row[i].size(), ' ');
    out += "\n";
  }
  return out;
}

// The API's answer, or roost::Error with the server's message for any status but `expected`.
class ApiClient {
 public:
  explicit ApiClient(const std::string& socket) : http_(socket) {
    struct stat st;
    // rootlessctl's first words when the socket is missing: "stat PATH: no such file or directory".
    if (stat(socket.c_str(), &st) != 0) throw Error("stat " + socket + ": " + ns::go::errno_text(errno));
  }
  std::string call(const std::string& method, const std::string& path, int expected, const std::string& body = {}) {
    http::Response r = http_.request(method, path, body);
    if (r.status != expected) throw Error(ns::decode_error_message(r.body));
    return r.body;
  }

 private:
  http::Client http_;
};

void list_ports(ApiClient& api, bool json, std::ostream& out) {
  std::vector<PortStatus> ports = ns::decode_port_list(api.call("GET", "/v1/ports", 200));
  if (json) {
    for (const PortStatus& p : ports) out << ns::port_status_json(p) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows = {{"ID", "PROTO", "PARENTIP", "PARENTPORT", "CHILDIP", "CHILDPORT"}};
  for (const PortStatus& p : ports)
    rows.push_back({std::to_string(p.id), p.spec.proto, p.spec.parent_ip, std::to_string(p.spec.parent_port),
                    p.spec.child_ip, std::to_string(p.spec.child_port)});
  out << tabulate(rows);
}

void add_ports(ApiClient& api, bool json, const std::vector<std::string>& specs, std::ostream& out) {
  if (specs.empty()) throw Error("no port specified");
  std::vector<ns::PortSpec> parsed;  // all read before any is added, as rootlessctl does
  for (const std::string& text : specs) parsed.push_back(ns::parse_port_spec(text));
  for (const ns::PortSpec& spec : parsed) {
    PortStatus status = ns::decode_port_status(api.call("POST", "/v1/ports", 201, ns::port_spec_json(spec)));
    if (json) out << ns::port_status_json(status) << "\n";
    else out << status.id << "\n";
  }
}

void remove_ports(ApiClient& api, const std::vector<std::string>& ids, std::ostream& out) {
  if (ids.empty()) throw Error("no ID specified");
  std::vector<int> parsed;
  for (const std::string& text : ids) {  // all read before any is removed, as rootlessctl does
    std::string error;
    std::optional<int> id = ns::go::atoi(text, error);
    if (!id) throw Error(error);
    parsed.push_back(*id);
  }
  for (int id : parsed) {
    api.call("DELETE", "/v1/ports/" + std::to_string(id), 200);
    out << id << "\n";
  }
}

// Go's %v of a []string: "[a b]".
std::string go_list(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); i++) out += (i ? " " : "") + values[i];
  return out + "]";
}

void info(ApiClient& api, bool json, std::ostream& out) {
  InfoDocument doc = ns::decode_info(api.call("GET", "/v1/info", 200));
  if (json) {
    out << ns::info_json(doc, 4) << "\n";
    return;
  }
  out << "- REST API version: " << doc.api_version << "\n- Implementation version: " << doc.version
      << "\n- State Directory: " << doc.state_dir << "\n- Child PID: " << doc.child_pid << "\n";
  if (doc.network) {
    out << "- Network Driver: " << doc.network->driver << "\n  - DNS: " << go_list(doc.network->dns) << "\n";
    if (!doc.network->child_ip.empty()) out << "  - IP: " << doc.network->child_ip << "\n";  // only when set, as rootlessctl
  }
  if (doc.ports)
    out << "- Port Driver: " << doc.ports->driver << "\n  - Supported protocols: " << go_list(doc.ports->protos) << "\n";
}

struct Command {
  std::string socket;
  std::string name;
  bool json = false;
  std::vector<std::string> operands;
};

Command parse_command(const std::vector<std::string>& args) {
  Command c;
  size_t i = 0;
  for (; i < args.size() && args[i].rfind("-", 0) == 0; i++) {
    if (args[i] == "--socket" || args[i] == "-socket") {
      if (++i == args.size()) throw UsageError("--socket needs a path");
      c.socket = args[i];
    } else if (args[i].rfind("--socket=", 0) == 0) {
      c.socket = args[i].substr(9);
    } else {
      throw UsageError("unknown option " + args[i]);
    }
  }
  if (i == args.size()) throw UsageError("missing command: list-ports, add-ports, remove-ports or info");
  c.name = args[i++];
  for (; i < args.size(); i++) {
    if ((args[i] == "--json" || args[i] == "-json") && c.name != "remove-ports") c.json = true;
    else if (args[i].rfind("-", 0) == 0 && args[i].size() > 1 && !std::isdigit(static_cast<unsigned char>(args[i][1])))
      throw UsageError("unknown option " + args[i] + " for " + c.name);
    else c.operands.push_back(args[i]);
  }
  if (c.socket.empty()) {
    const char* state = std::getenv("ROOTLESSKIT_STATE_DIR");
    if (!state || !*state) throw Error("please specify --socket or set $ROOTLESSKIT_STATE_DIR");
    c.socket = std::string(state) + "/api.sock";
  }
  return c;
}

void run(const Command& c, std::ostream& out) {
  bool no_operands = c.name == "list-ports" || c.name == "info";
  if (no_operands && !c.operands.empty()) throw UsageError(c.name + " takes no arguments");
  if (c.name != "list-ports" && c.name != "info" && c.name != "add-ports" && c.name != "remove-ports")
    throw UsageError("unknown command " + c.name + ": list-ports, add-ports, remove-ports or info");
  ApiClient api(c.socket);
  if (c.name == "list-ports") list_ports(api, c.json, out);
  else if (c.name == "info") info(api, c.json, out);
  else if (c.name == "add-ports") add_ports(api, c.json, c.operands, out);
  else remove_ports(api, c.operands, out);
}

}  // namespace

int ns_ctl(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
    out << usage;
    return 0;
  }
  try {
    run(parse_command(args), out);
    out.flush();
    return 0;
  } catch (const UsageError& e) {
    out.flush();
    err << "roost ns ctl: " << e.what() << "\n";
    return 2;
  } catch (const Error& e) {
    out.flush();
    err << "error: " << e.what() << "\n";
    return 1;
  }
}

int ns_ctl(const std::vector<std::string>& args) { return ns_ctl(args, std::cout, std::cerr); }

}  // namespace roost::cli
