#include "engine/container_logs.hpp"

#include <time.h>

#include "engine/container_context.hpp"
#include "monitor/k8s_log.hpp"

namespace roost::engine {

void show_logs(const ctr::ContainerStore& containers, const std::string& id, const LogsRequest& request) {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const int64_t now_ns = static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
  monitor::LogReadOptions options;
  if (!request.since.empty()) options.since_ns = monitor::parse_log_time(request.since, now_ns);
  if (!request.until.empty()) options.until_ns = monitor::parse_log_time(request.until, now_ns);
  options.tail = request.tail;
  options.timestamps = request.timestamps;
  if (request.follow) {
    // The log grows while the monitor lives (it writes every chunk, and restarts the container
    // under a restart policy); a container that is not running has nothing more to say.
    options.still_running = [&containers, id] {
      const ctr::ContainerState state = containers.state(id);
      return process_alive(state.monitor_pid, state.monitor_start_time);
    };
  }
  monitor::read_logs(containers.paths(id).log().string(), options);
}

}  // namespace roost::engine
