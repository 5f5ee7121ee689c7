// --net=pasta: Debian 12's pasta (passt 2023-03-09) joins the child's namespace, makes the tap and
// configures it itself (--config-net): addresses and default route as rootlesskit's, --no-map-gw for
// --disable-host-loopback. It forwards the -p ports itself (-t/-u, the implicit port driver).
// What this version lacks: no control socket (ports are fixed at start), no SCTP, no chosen child
// address for a port, no --map-host-loopback (the host is reached at the gateway address only).
#pragma once

#include <string>
#include <vector>

#include "ns/net/helper_driver.hpp"

namespace roost::ns {

class PastaDriver : public HelperDriver {
 public:
  explicit PastaDriver(NetworkOptions options) : options_(std::move(options)) {}
  ~PastaDriver() override { stop(); }
  void check() const override;
  void launch(const NetnsTarget& target, const std::string& state_dir) override;
  ChildNetwork wait_started() override;
  void stop() override;

  // The command line without the binary (for tests); `pid_path` is where pasta says it is ready.
  std::vector<std::string> arguments(const NetnsTarget& target, const std::string& pid_path,
                                     const std::string& log_path) const;

 private:
  NetworkOptions options_;
  std::string pid_fifo_;
};

}  // namespace roost::ns
