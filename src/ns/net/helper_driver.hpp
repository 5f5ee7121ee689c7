// What slirp4netns's and pasta's drivers share: a namespace of the child's own, served by one
// helper process whose pid and exit pidfd the parent sees.
#pragma once

#include <vector>

#include "ns/net/helper_process.hpp"
#include "ns/net/network_driver.hpp"

namespace roost::ns {

class HelperDriver : public NetworkDriver {
 public:
  bool needs_netns() const override { return true; }
  std::vector<pid_t> helper_pids() const override {
    if (!helper_.running()) return {};
    return {helper_.pid()};
  }
  int helper_exit_fd() const override { return helper_.running() ? helper_.pidfd() : -1; }
  void begin_stop() override { helper_.signal_stop(); }

 protected:
  HelperProcess helper_;
};

}  // namespace roost::ns
