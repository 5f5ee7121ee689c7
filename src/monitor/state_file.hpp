// state.json as the monitor keeps it (ctr::ContainerState): temp file + rename under the
// container's lock. The lock is never waited on for long: `roost start` holds it until the monitor
// has answered on fd 3, so the first write of a start is made without it (the starter holds it for
// us then), and later writes wait at most a few seconds before writing anyway (a rename is atomic
// for readers; the engine writes state only when no monitor lives).
#pragma once

#include <string>

#include "ctr/container.hpp"

namespace roost::monitor {

class StateFile {
 public:
  StateFile(std::string state_path, std::string lock_path);
  // The state as on disk (Created when there is none yet).
  ctr::ContainerState read() const;
  void write(const ctr::ContainerState& state, bool starter_holds_lock = false) const;

 private:
  std::string state_path_, lock_path_;
};

}  // namespace roost::monitor
