// The driver factory, with the two drivers that need no helper (host, none) and one-line refusals
// for the drivers roost does not have.
#include <memory>

#include "ns/net/network_driver.hpp"
#include "ns/net/pasta_driver.hpp"
#include "ns/net/slirp4netns_driver.hpp"
#include "util/error.hpp"

namespace roost::ns {
namespace {

// host: the command stays in the host's network namespace; none: a namespace with lo only.
class PlainDriver : public NetworkDriver {
 public:
  explicit PlainDriver(std::string name) : name_(std::move(name)) {}
  void check() const override {}
  bool needs_netns() const override { return name_ != "host"; }
  void launch(const NetnsTarget&, const std::string&) override {}
  ChildNetwork wait_started() override { return ChildNetwork{name_}; }
  void stop() override {}

 private:
  std::string name_;
};

[[noreturn]] void refuse(const std::string& driver, const std::string& missing) {
  throw Error("--net=" + driver + " is not available: " + missing + "; use --net=slirp4netns or --net=pasta");
}

}  // namespace

std::unique_ptr<NetworkDriver> make_network_driver(const NetworkOptions& options) {
  const std::string& d = options.driver;
  if (d == "host" || d == "none") return std::make_unique<PlainDriver>(d);
  if (d == "slirp4netns") return std::make_unique<Slirp4netnsDriver>(options);
  if (d == "pasta") return std::make_unique<PastaDriver>(options);
  if (d == "vpnkit") refuse(d, "roost has no vpnkit driver (vpnkit is not packaged in Debian 12)");
  if (d == "lxc-user-nic")
    refuse(d, "roost has no lxc-user-nic driver (it needs LXC's setuid lxc-user-nic and a bridge, lxc is not installed)");
  if (d == "gvisor-tap-vsock")
    refuse(d, "gvisor-tap-vsock is rootlesskit v3's built-in Go network stack, not built into roost");
  throw Error("unknown network mode: " + d);
}

}  // namespace roost::ns
