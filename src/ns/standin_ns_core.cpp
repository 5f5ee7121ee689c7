// stand-in, removed at merge: the network drivers (ns-net, src/ns/net/) and the port drivers
// (ns-ports, src/ns/port/) are other helpers' work. Just enough for roost ns's process model to
// be built and tested before they land: host and none networks, lo up through netlink, and no
// port driver with a child half.
#include <nlohmann/json.hpp>

#include "ns/net/network_driver.hpp"
#include "ns/port/port_driver.hpp"
#include "sys/netlink.hpp"
#include "util/error.hpp"

namespace roost::ns {
namespace {

class StandinNetwork : public NetworkDriver {
 public:
  explicit StandinNetwork(std::string driver) : driver_(std::move(driver)) {}
  void check() const override {}
  bool needs_netns() const override { return driver_ != "host"; }
  ChildNetwork start(const NetnsTarget&, const std::string&) override {
    ChildNetwork net;
    net.driver = driver_;
    return net;
  }
  void stop() override {}

 private:
  std::string driver_;
};

}  // namespace

std::string to_json(const ChildNetwork& net) {
  return nlohmann::json{{"driver", net.driver}, {"dev", net.dev}, {"ip", net.ip}, {"prefix_length", net.prefix_length},
                        {"gateway", net.gateway}, {"dns", net.dns}, {"mtu", net.mtu},
                        {"configured_by_driver", net.configured_by_driver}}
      .dump();
}

ChildNetwork child_network_from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text);
  ChildNetwork net;
  net.driver = j.value("driver", "");
  net.dev = j.value("dev", "");
  net.ip = j.value("ip", "");
  net.prefix_length = j.value("prefix_length", 0);
  net.gateway = j.value("gateway", "");
  net.dns = j.value("dns", std::vector<std::string>{});
  net.mtu = j.value("mtu", 0);
  net.configured_by_driver = j.value("configured_by_driver", false);
  return net;
}

std::unique_ptr<NetworkDriver> make_network_driver(const NetworkOptions& options) {
  if (options.driver == "host" || options.driver == "none") return std::make_unique<StandinNetwork>(options.driver);
  throw Error("network driver " + options.driver + " is not in this build yet (stand-in)");
}

void configure_child_network(const ChildNetwork& net) {
  netlink::RouteSocket rt;
  rt.set_link_up("lo");
  if (!net.dev.empty()) throw Error("configuring " + net.dev + " is not in this build yet (stand-in)");
}

std::unique_ptr<PortDriver> make_port_driver(const PortDriverOptions& options, EventLoop&, UniqueFd) {
  throw Error("port driver " + options.driver + " is not in this build yet (stand-in)");
}

void serve_port_driver_child(const PortDriverOptions&, EventLoop&, UniqueFd) {}

}  // namespace roost::ns
