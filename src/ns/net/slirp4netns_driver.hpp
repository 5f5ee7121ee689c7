// --net=slirp4netns: Debian's slirp4netns (1.2) serves the child's namespace through a tap device,
// as rootlesskit starts it: ready through --ready-fd, exiting when roost closes --exit-fd, its API
// socket at $STATE/.s4nn.sock for the slirp4netns port driver.
#pragma once

#include <string>
#include <vector>

#include "ns/net/helper_driver.hpp"

namespace roost::ns {

class Slirp4netnsDriver : public HelperDriver {
 public:
  explicit Slirp4netnsDriver(NetworkOptions options) : options_(std::move(options)) {}
  ~Slirp4netnsDriver() override { stop(); }
  void check() const override;
  void launch(const NetnsTarget& target, const std::string& state_dir) override;
  ChildNetwork wait_started() override;
  void stop() override;
  std::string api_socket() const override { return api_socket_; }

  // The command line, without the binary (for tests): what rootlesskit passes, plus --exit-fd.
  std::vector<std::string> arguments(const NetnsTarget& target, const std::string& api_socket) const;
  bool sandbox() const;  // --slirp4netns-sandbox, auto resolved
  bool seccomp() const;  // --slirp4netns-seccomp, auto resolved

 private:
  NetworkOptions options_;
  UniqueFd exit_fd_;  // slirp4netns exits when this end closes (roost stopped or died)
  std::string api_socket_;
};

}  // namespace roost::ns
