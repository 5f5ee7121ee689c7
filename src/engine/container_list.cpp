#include "engine/container_list.hpp"

#include <algorithm>
#include <map>

#include "engine/container_context.hpp"
#include "engine/humanize.hpp"
#include "engine/table.hpp"
#include "engine/template.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::engine {
namespace {

// Go's zero time.Time as Unix seconds: what podman prints for a time that never happened.
constexpr int64_t kGoZeroTime = -62135596800;

int64_t unix_time(const std::string& rfc3339) {
  if (rfc3339.empty()) return kGoZeroTime;
  return parse_rfc3339(rfc3339).value_or(kGoZeroTime);
}

int64_t age(const std::string& rfc3339, int64_t now) {
  const int64_t then = unix_time(rfc3339);
  return then == kGoZeroTime ? 0 : std::max<int64_t>(0, now - then);
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

// "table {{.ID}}\t{{.Names}}" -> the header cells podman prints for the fields named.
std::string header_for(const std::string& field) {
  static const std::map<std::string, std::string> kHeaders = {
      {"ID", "CONTAINER ID"}, {"Image", "IMAGE"},   {"Command", "COMMAND"},   {"CreatedAt", "CREATED"},
      {"CreatedHuman", "CREATED"}, {"RunningFor", "CREATED"}, {"Status", "STATUS"}, {"Ports", "PORTS"},
      {"Names", "NAMES"}, {"State", "STATE"},   {"Labels", "LABELS"},    {"Mounts", "MOUNTS"},
      {"ImageID", "IMAGE ID"}, {"Pid", "PID"}, {"ExitCode", "EXIT CODE"}, {"Networks", "NETWORKS"}};
  auto it = kHeaders.find(field);
  if (it != kHeaders.end()) return it->second;
  std::string upper = field;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

// The header row of a "table ..." format: each {{.Field}} replaced by its header.
std::string table_header(const std::string& format) {
  std::string out;
  size_t i = 0;
  while (i < format.size()) {
    size_t open = format.find("{{", i);
    if (open == std::string::npos) {
      out += format.substr(i);
      break;
    }
    out += format.substr(i, open - i);
    size_t close = format.find("}}", open);
    if (close == std::string::npos) break;
    std::string action = format.substr(open + 2, close - open - 2);
    action.erase(0, action.find_first_not_of(' '));
    action.erase(action.find_last_not_of(' ') + 1);
    out += action.starts_with(".") ? header_for(action.substr(1)) : action;
    i = close + 2;
  }
  return out;
}

// A template's output split on tabs into cells, for the table layout.
std::vector<std::string> cells(const std::string& line) {
  std::string text = line;
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return split(text, '\t');
}

}  // namespace

std::vector<ContainerView> list_containers(const ctr::ContainerStore& containers) {
  std::vector<ContainerView> views;
  for (ctr::ContainerRecord& record : containers.records()) {
    const std::string id = record.config.id;
    views.push_back({effective_config(std::move(record.config)), current_state(containers, id, record.state)});
  }
  return views;
}

std::string status_text(const ctr::ContainerState& state, int64_t now) {
  switch (state.status) {
    case ctr::Status::Running: return "Up " + ago(age(state.started_at, now));
    case ctr::Status::Paused: return "Paused";
    case ctr::Status::Stopping: return "Stopping";
    case ctr::Status::Removing: return "Removing";
    case ctr::Status::Exited:
      return "Exited (" + std::to_string(state.exit_code.value_or(0)) + ") " + ago(age(state.finished_at, now));
    case ctr::Status::Created: break;
  }
  return "Created";
}

std::string ports_text(const std::vector<ctr::PortMapping>& ports) {
  std::vector<std::string> out;
  for (size_t i = 0; i < ports.size();) {
    const ctr::PortMapping& first = ports[i];
    size_t n = 1;
    while (i + n < ports.size()) {
      const ctr::PortMapping& next = ports[i + n];
      if (next.host_ip != first.host_ip || next.protocol != first.protocol ||
          next.container_port != first.container_port + static_cast<int>(n) ||
          next.host_port != first.host_port + static_cast<int>(n))
        break;
      ++n;
    }
    const ctr::PortMapping& last = ports[i + n - 1];
    const std::string ip = first.host_ip.empty() ? "0.0.0.0" : first.host_ip;
    auto range = [n](int a, int b) { return n == 1 ? std::to_string(a) : std::to_string(a) + "-" + std::to_string(b); };
    out.push_back(ip + ":" + range(first.host_port, last.host_port) + "->" +
                  range(first.container_port, last.container_port) + "/" + first.protocol);
    i += n;
  }
  return join(out, ", ");
}

std::string command_text(const std::vector<std::string>& args, bool no_trunc) {
  std::string cmd = join(args, " ");
  if (!no_trunc && cmd.size() > 20) cmd = cmd.substr(0, 17) + "...";
  return cmd;
}

const std::vector<ctr::PortMapping>& shown_ports(const ContainerView& view) {
  return is_active(view.state.status) && !view.state.ports.empty() ? view.state.ports : view.config.ports;
}

PsFilters parse_ps_filters(const std::vector<std::string>& filters) {
  PsFilters out;
  for (const std::string& f : filters) {
    const size_t eq = f.find('=');
    if (eq == std::string::npos) throw Error("invalid filter \"" + f + "\", must be KEY=VALUE");
    const std::string key = f.substr(0, eq), value = f.substr(eq + 1);
    if (key == "name") out.names.push_back(value);
    else if (key == "id") out.ids.push_back(value);
    else if (key == "status") {
      static const char* const kStatuses[] = {"created", "running", "paused", "stopping", "exited", "removing"};
      if (std::find(std::begin(kStatuses), std::end(kStatuses), value) == std::end(kStatuses))
        throw Error(value + " is not a valid status");
      out.statuses.push_back(value);
    } else if (key == "label") out.labels.push_back(value);
    else throw Error(key + " is an invalid filter (roost knows name, id, status and label)");
  }
  return out;
}

bool matches(const ContainerView& view, const PsFilters& filters) {
  auto any = [](const std::vector<std::string>& values, auto pred) {
    return values.empty() || std::any_of(values.begin(), values.end(), pred);
  };
  return any(filters.names, [&](const std::string& v) { return view.config.name.find(v) != std::string::npos; }) &&
         any(filters.ids, [&](const std::string& v) { return view.config.id.starts_with(v); }) &&
         any(filters.statuses, [&](const std::string& v) { return v == ctr::status_name(view.state.status); }) &&
         any(filters.labels, [&](const std::string& v) {
           const size_t eq = v.find('=');
           auto it = view.config.labels.find(v.substr(0, eq));
           return it != view.config.labels.end() && (eq == std::string::npos || it->second == v.substr(eq + 1));
         });
}

nlohmann::ordered_json ps_json(const ContainerView& view, int64_t now) {
  const ctr::ContainerConfig& c = view.config;
  const ctr::ContainerState& s = view.state;
  nlohmann::ordered_json j;
  j["AutoRemove"] = c.auto_remove;
  j["Command"] = c.args;
  j["CreatedAt"] = ago(age(c.created, now));
  j["Exited"] = s.status == ctr::Status::Exited;
  j["ExitedAt"] = s.status == ctr::Status::Exited ? unix_time(s.finished_at) : kGoZeroTime;
  j["ExitCode"] = s.exit_code.value_or(0);
  j["Id"] = c.id;
  j["Image"] = c.image_name;
  j["ImageID"] = c.image_id.starts_with("sha256:") ? c.image_id.substr(7) : c.image_id;
  j["IsInfra"] = false;
  j["Labels"] = c.labels.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(c.labels);
  nlohmann::ordered_json mounts = nlohmann::ordered_json::array();
  for (const auto& m : c.mounts) mounts.push_back(m.destination);
  j["Mounts"] = mounts;
  j["Names"] = {c.name};
  j["Namespaces"] = nlohmann::ordered_json::object();
  j["Networks"] = nlohmann::ordered_json::array();
  j["Pid"] = is_active(s.status) ? s.pid : 0;
  j["Pod"] = "";
  j["PodName"] = "";
  const auto& ports = shown_ports(view);
  if (ports.empty()) {
    j["Ports"] = nullptr;
  } else {
    j["Ports"] = nlohmann::ordered_json::array();
    for (const auto& p : ports)
      j["Ports"].push_back({{"host_ip", p.host_ip}, {"container_port", p.container_port}, {"host_port", p.host_port},
                            {"range", 1}, {"protocol", p.protocol}});
  }
  j["Size"] = nullptr;
  j["StartedAt"] = s.started_at.empty() ? kGoZeroTime : unix_time(s.started_at);
  j["State"] = ctr::status_name(s.status);
  j["Status"] = status_text(s, now);
  j["Created"] = unix_time(c.created);
  return j;
}

nlohmann::json ps_template_value(const ContainerView& view, int64_t now, bool no_trunc) {
  const ctr::ContainerConfig& c = view.config;
  const ctr::ContainerState& s = view.state;
  nlohmann::json j;
  j["ID"] = no_trunc ? c.id : c.id.substr(0, 12);
  j["Image"] = c.image_name;
  j["ImageID"] = c.image_id.starts_with("sha256:") ? c.image_id.substr(7) : c.image_id;
  j["Command"] = command_text(c.args, no_trunc);
  j["CreatedAt"] = c.created;
  j["CreatedHuman"] = ago(age(c.created, now));
  j["RunningFor"] = human_duration(age(c.created, now));
  j["Created"] = unix_time(c.created);
  j["Status"] = status_text(s, now);
  j["State"] = ctr::status_name(s.status);
  j["Ports"] = ports_text(shown_ports(view));
  j["Names"] = c.name;
  j["Labels"] = c.labels;
  nlohmann::json mounts = nlohmann::json::array();
  for (const auto& m : c.mounts) mounts.push_back(m.destination);
  j["Mounts"] = mounts;
  j["Networks"] = nlohmann::json::array();
  j["Pid"] = is_active(s.status) ? s.pid : 0;
  j["ExitCode"] = s.exit_code.value_or(0);
  j["Exited"] = s.status == ctr::Status::Exited;
  j["AutoRemove"] = c.auto_remove;
  j["Restarts"] = s.restart_count;
  j["Pod"] = "";
  j["PodName"] = "";
  j["IsInfra"] = false;
  return j;
}

std::string ps_output(const std::vector<ContainerView>& views, const PsOptions& options, int64_t now) {
  const PsFilters filters = parse_ps_filters(options.filters);
  std::vector<const ContainerView*> shown;
  for (const ContainerView& v : views) {
    // A status filter asks for those statuses whatever -a says (podman's habit).
    if (!options.all && filters.statuses.empty() && v.state.status != ctr::Status::Running) continue;
    if (!matches(v, filters)) continue;
    shown.push_back(&v);
  }
  std::string out;
  if (options.quiet) {
    for (const ContainerView* v : shown) out += (options.no_trunc ? v->config.id : v->config.id.substr(0, 12)) + "\n";
    return out;
  }
  if (options.format == "json") {
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const ContainerView* v : shown) all.push_back(ps_json(*v, now));
    return all.dump(2) + "\n";
  }
  std::string format = options.format;
  bool table = format.empty() || format == "table" || format.starts_with("table ");
  if (format.empty() || format == "table")
    format = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
  else if (table)
    format = format.substr(6);
  const Template tmpl(format);
  if (!table) {
    for (const ContainerView* v : shown) out += tmpl.render(ps_template_value(*v, now, options.no_trunc));
    return out;
  }
  std::vector<std::vector<std::string>> rows;
  std::string header_format = format;
  // Go's template sees "\t" as a tab: the header must be split the same way.
  for (size_t p; (p = header_format.find("\\t")) != std::string::npos;) header_format.replace(p, 2, "\t");
  rows.push_back(cells(table_header(header_format)));
  for (const ContainerView* v : shown) rows.push_back(cells(tmpl.render(ps_template_value(*v, now, options.no_trunc))));
  return format_table(rows);
}

}  // namespace roost::engine
