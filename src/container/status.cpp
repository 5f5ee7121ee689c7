#include "container/status.hpp"

#include <nlohmann/json.hpp>

#include "sys/cgroup_manager.hpp"
#include "util/file.hpp"

namespace roost {

const char* status_name(Status s) {
  switch (s) {
    case Status::Creating: return "creating";
    case Status::Created: return "created";
    case Status::Running: return "running";
    case Status::Paused: return "paused";
    case Status::Stopped: return "stopped";
  }
  return "unknown";
}

bool process_alive(const StateRecord& record) {
  return record.pid > 0 && record.pid_start_time != 0 && process_start_time(record.pid) == record.pid_start_time;
}

Status container_status(const StateRecord& record, const std::string& dir) {
  if (!process_alive(record)) return Status::Stopped;
  if (!record.ready) return Status::Creating;
  if (!record.cgroup.empty() && cgroup_frozen(record.cgroup)) return Status::Paused;
  return path_exists(dir + "/exec.fifo") ? Status::Created : Status::Running;
}

std::string state_json(const StateRecord& r, Status status, int indent) {
  nlohmann::ordered_json j = {{"ociVersion", "1.2.0"},
                              {"id", r.id},
                              {"status", status_name(status)},
                              {"pid", status == Status::Stopped ? 0 : r.pid},
                              {"bundle", r.bundle},
                              {"rootfs", r.rootfs},
                              {"created", r.created},
                              {"owner", r.owner}};
  j["annotations"] = r.annotations;
  return j.dump(indent);
}

}  // namespace roost
