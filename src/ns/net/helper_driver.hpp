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
  // wait_started's shared half: the helper's ready signal on ready_ (launch's), 10 s at most; a
  // failure stops the helper and is rethrown.
  void await_ready(HelperProcess::ReadyTest done) {
    try {
      helper_.wait_ready(ready_.get(), done, kReadyTimeoutMs);
    } catch (...) {
      stop();
      throw;
    }
    ready_.reset();
  }
  // What the child configures: the options' address range, device and MTU.
  static ChildNetwork child_network_for(const std::string& driver, const NetworkOptions& options);

  static constexpr int kReadyTimeoutMs = 10000;
  HelperProcess helper_;
  UniqueFd ready_;  // from launch to wait_started: where the helper says it is ready
};

}  // namespace roost::ns
