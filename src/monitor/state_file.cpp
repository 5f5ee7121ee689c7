// state.json writes, under the container's lock where the lock can be had.
#include "monitor/state_file.hpp"

#include <time.h>

#include <optional>

#include "ctr/container_json.hpp"
#include "util/file.hpp"
#include "util/file_lock.hpp"

namespace roost::monitor {

namespace {

constexpr int kLockWaitMs = 3000;

std::optional<FileLock> lock_briefly(const std::string& path) {
  for (int waited = 0; waited < kLockWaitMs; waited += 20) {
    if (auto lock = FileLock::try_acquire(path)) return lock;
    timespec pause{0, 20 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
  return std::nullopt;
}

}  // namespace

StateFile::StateFile(std::string state_path, std::string lock_path)
    : state_path_(std::move(state_path)), lock_path_(std::move(lock_path)) {}

ctr::ContainerState StateFile::read() const {
  if (!path_exists(state_path_)) return {};
  return ctr::state_from_json_text(read_file(state_path_));
}

void StateFile::write(const ctr::ContainerState& state, bool starter_holds_lock) const {
  std::optional<FileLock> lock;
  if (!starter_holds_lock && !lock_path_.empty()) lock = lock_briefly(lock_path_);
  write_file_atomic(state_path_, ctr::state_to_json_text(state), 0600);
}

}  // namespace roost::monitor
