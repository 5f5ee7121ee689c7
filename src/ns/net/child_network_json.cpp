// ChildNetwork crosses the parent -> child sync channel as JSON.
#include <nlohmann/json.hpp>

#include "ns/net/network_driver.hpp"
#include "util/error.hpp"

namespace roost::ns {

std::string to_json(const ChildNetwork& net) {
  nlohmann::json j = {{"driver", net.driver},   {"dev", net.dev},         {"ip", net.ip},
                      {"prefixLength", net.prefix_length}, {"gateway", net.gateway}, {"dns", net.dns},
                      {"mtu", net.mtu},         {"ipv6", net.ipv6},       {"configuredByDriver", net.configured_by_driver}};
  return j.dump();
}

ChildNetwork child_network_from_json(const std::string& text) {
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    ChildNetwork net;
    net.driver = j.at("driver").get<std::string>();
    net.dev = j.at("dev").get<std::string>();
    net.ip = j.at("ip").get<std::string>();
    net.prefix_length = j.at("prefixLength").get<int>();
    net.gateway = j.at("gateway").get<std::string>();
    net.dns = j.at("dns").get<std::vector<std::string>>();
    net.mtu = j.at("mtu").get<int>();
    net.ipv6 = j.at("ipv6").get<bool>();
    net.configured_by_driver = j.at("configuredByDriver").get<bool>();
    return net;
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("bad network message from the parent: ") + e.what());
  }
}

}  // namespace roost::ns
