// `roost logs [-f] [--tail N] [--since T] [--until T] [-t] CTR`: the container's k8s-file log
// read back by the monitor's reader (monitor/k8s_log), each line to the stream it came from.
// Following ends when the container's monitor is gone (a restart policy keeps it, and the log).
#pragma once

#include <optional>
#include <string>

#include "ctr/container_store.hpp"

namespace roost::engine {

struct LogsRequest {
  bool follow = false;
  std::optional<size_t> tail;    // --tail N (a negative N on the command line: all)
  std::string since, until;      // podman's time forms ("" = none)
  bool timestamps = false;
};

void show_logs(const ctr::ContainerStore& containers, const std::string& id, const LogsRequest& request);

}  // namespace roost::engine
