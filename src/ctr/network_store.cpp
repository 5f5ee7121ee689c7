#include "ctr/network_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "ctr/subnet.hpp"
#include "util/clock.hpp"
#include "util/dir_files.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::ctr {
namespace {

using nlohmann::ordered_json;

bool valid_name(const std::string& name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

// A file name under a directory of ours: a record's name is checked before it becomes a path.
void require_valid_name(const std::string& name) {
  if (!valid_name(name))
    throw Error("network name \"" + name + "\" is invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
}

std::string lease_json(const NetworkLease& l) {
  return ordered_json{{"container_id", l.container_id},
                      {"container_name", l.container_name},
                      {"address", l.address},
                      {"hosts_file", l.hosts_file}}
      .dump();
}

NetworkLease lease_from_json(const std::string& text) {
  try {
    const auto j = nlohmann::json::parse(text);
    return {j.at("container_id").get<std::string>(), j.at("container_name").get<std::string>(),
            j.at("address").get<std::string>(), j.at("hosts_file").get<std::string>()};
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("a network lease is malformed: ") + e.what());
  }
}

const char kHostsMarker[] = "# roost: the containers on this container's network";

}  // namespace

bool is_network_mode(const std::string& network) {
  for (const char* mode : {"", "none", "host", "slirp4netns", "pasta", "private", "bridge", "default"})
    if (network == mode) return true;
  return network.rfind("ns:", 0) == 0 || network.rfind("container:", 0) == 0;
}

std::string to_json(const NetworkConfig& n, int indent) {
  ordered_json j;
  j["name"] = n.name;
  j["id"] = n.id;
  j["driver"] = n.driver;
  j["network_interface"] = n.network_interface;
  j["created"] = n.created;
  j["subnets"] = ordered_json::array();
  for (const auto& s : n.subnets) j["subnets"].push_back({{"subnet", s.subnet}, {"gateway", s.gateway}});
  j["ipv6_enabled"] = n.ipv6_enabled;
  j["internal"] = n.internal;
  j["dns_enabled"] = n.dns_enabled;
  j["ipam_options"] = n.ipam_options;
  if (!n.labels.empty()) j["labels"] = n.labels;
  return j.dump(indent);
}

NetworkConfig network_from_json(const std::string& text) {
  try {
    const auto j = nlohmann::json::parse(text);
    NetworkConfig n;
    n.name = j.at("name").get<std::string>();
    n.id = j.at("id").get<std::string>();
    n.driver = j.at("driver").get<std::string>();
    n.network_interface = j.at("network_interface").get<std::string>();
    n.created = j.at("created").get<std::string>();
    for (const auto& s : j.at("subnets")) n.subnets.push_back({s.at("subnet"), s.at("gateway")});
    n.ipv6_enabled = j.at("ipv6_enabled").get<bool>();
    n.internal = j.at("internal").get<bool>();
    n.dns_enabled = j.at("dns_enabled").get<bool>();
    n.ipam_options = j.at("ipam_options").get<std::map<std::string, std::string>>();
    if (j.contains("labels")) n.labels = j.at("labels").get<std::map<std::string, std::string>>();
    return n;
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("a network record is malformed: ") + e.what());
  }
}

NetworkStore::NetworkStore(std::filesystem::path data_root, std::filesystem::path run_root)
    : dir_(data_root / "networks"), lease_dir_(run_root / "networks") {
  make_dirs(dir_.string(), 0700);
  make_dirs(lease_dir_.string(), 0700);
}

std::filesystem::path NetworkStore::network_file(const std::string& name) const { return dir_ / (name + ".json"); }

FileLock NetworkStore::lock() const { return FileLock::acquire(dir_ / "networks.lock"); }

NetworkConfig NetworkStore::create(const NetworkRequest& request) {
  FileLock held = lock();
  const std::vector<NetworkConfig> existing = list();
  NetworkConfig n;
  // The bridge's name: the first roostN no network has taken (as a bridge or as a name).
  auto taken = [&](const std::string& word) {
    return std::any_of(existing.begin(), existing.end(),
                       [&](const NetworkConfig& e) { return e.name == word || e.network_interface == word; });
  };
  for (int i = 1;; ++i) {
    const std::string candidate = "roost" + std::to_string(i);
    if (!taken(candidate)) {
      n.network_interface = candidate;
      break;
    }
  }
  n.name = request.name.empty() ? n.network_interface : request.name;
  require_valid_name(n.name);
  if (is_network_mode(n.name))
    throw Error("cannot create network with name \"" + n.name + "\" because it conflicts with a valid network mode");
  if (std::any_of(existing.begin(), existing.end(), [&](const NetworkConfig& e) { return e.name == n.name; }))
    throw Error("network name " + n.name + " already used: network already exists");

  std::vector<Ipv4Subnet> used;
  for (const auto& e : existing)
    for (const auto& s : e.subnets) used.push_back(parse_subnet(s.subnet));
  Ipv4Subnet subnet;
  if (request.subnet.empty()) {
    if (!request.gateway.empty()) throw Error("--gateway needs --subnet");
    auto free = first_free_subnet(used);
    if (!free) throw Error("could not find a free subnet in 10.89.0.0/16: remove a network or give --subnet");
    subnet = *free;
  } else {
    subnet = parse_subnet(request.subnet);
    for (const auto& e : existing)
      for (const auto& s : e.subnets)
        if (overlaps(parse_subnet(s.subnet), subnet))
          throw Error("subnet " + subnet.text() + " is already used by network " + e.name);
  }
  uint32_t gateway = default_gateway(subnet);
  if (!request.gateway.empty()) {
    gateway = parse_ipv4(request.gateway);
    if (!is_host_address(subnet, gateway))
      throw Error("gateway " + request.gateway + " is not a host address of subnet " + subnet.text());
  }
  n.subnets.push_back({subnet.text(), ipv4_text(gateway)});
  n.id = random_hex(32);
  n.created = now_rfc3339();
  n.internal = request.internal;
  n.labels = request.labels;
  write_file_atomic(network_file(n.name).string(), to_json(n, 2) + "\n", 0600);
  return n;
}

std::optional<NetworkConfig> NetworkStore::find(const std::string& name_or_id) const {
  if (valid_name(name_or_id) && path_exists(network_file(name_or_id).string()))
    return network_from_json(read_file(network_file(name_or_id).string()));
  std::optional<NetworkConfig> found;
  for (auto& n : list()) {
    if (name_or_id.empty() || n.id.compare(0, name_or_id.size(), name_or_id) != 0) continue;
    if (found) throw Error("more than one network has an id starting with " + name_or_id);
    found = std::move(n);
  }
  return found;
}

std::vector<NetworkConfig> NetworkStore::list() const {
  std::vector<NetworkConfig> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    const std::string file = entry.path().filename().string();
    if (file.size() <= 5 || file.compare(file.size() - 5, 5, ".json") != 0) continue;
    out.push_back(network_from_json(read_file(entry.path().string())));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

void NetworkStore::remove(const std::string& name) {
  require_valid_name(name);
  FileLock held = lock();
  remove_tree((lease_dir_ / name).string());
  if (::unlink(network_file(name).c_str()) < 0 && errno != ENOENT) throw_errno("remove " + network_file(name).string());
}

NetworkLease NetworkStore::lease(const NetworkConfig& network, const std::string& container_id,
                                 const std::string& container_name, const std::string& hosts_file) {
  if (network.subnets.empty()) throw Error("network " + network.name + " has no subnet");
  const std::vector<NetworkLease> current = leases(network.name);
  for (const auto& l : current)
    if (l.container_id == container_id) return l;
  const Ipv4Subnet subnet = parse_subnet(network.subnets[0].subnet);
  std::vector<uint32_t> taken;
  for (const auto& l : current) taken.push_back(parse_ipv4(l.address));
  const auto address = first_free_address(subnet, parse_ipv4(network.subnets[0].gateway), taken);
  if (!address) throw Error("network " + network.name + " has no free address left in " + subnet.text());
  NetworkLease l{container_id, container_name, ipv4_text(*address), hosts_file};
  const std::filesystem::path dir = lease_dir_ / network.name;
  make_dirs(dir.string(), 0700);
  write_file_atomic((dir / (container_id + ".json")).string(), lease_json(l), 0600);
  return l;
}

void NetworkStore::release(const std::string& network, const std::string& container_id) {
  const std::filesystem::path file = lease_dir_ / network / (container_id + ".json");
  if (::unlink(file.c_str()) < 0 && errno != ENOENT) throw_errno("remove " + file.string());
}

std::vector<NetworkLease> NetworkStore::leases(const std::string& network) const {
  std::vector<NetworkLease> out;
  const std::filesystem::path dir = lease_dir_ / network;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (file.size() <= 5 || file.compare(file.size() - 5, 5, ".json") != 0) continue;
    out.push_back(lease_from_json(read_file(entry.path().string())));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return parse_ipv4(a.address) < parse_ipv4(b.address); });
  return out;
}

std::string network_hosts_lines(const std::vector<NetworkLease>& leases) {
  std::string out = std::string(kHostsMarker) + "\n";
  for (const auto& l : leases)
    out += l.address + "\t" + l.container_name + " " + l.container_id.substr(0, 12) + "\n";
  return out;
}

std::string replace_network_hosts(const std::string& hosts, const std::string& network_lines) {
  std::string kept = hosts;
  const auto at = kept.find(kHostsMarker);
  if (at != std::string::npos) kept.erase(at);
  if (!kept.empty() && kept.back() != '\n') kept += '\n';
  return kept + network_lines;
}

}  // namespace roost::ctr
