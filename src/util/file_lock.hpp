// flock(2) on a lock file, robust against the file being unlinked and recreated meanwhile: a lock
// is held only once the file locked is still the one at the path (same inode), so a lock file can
// be removed by whoever holds it (a removed layer's lock goes with it) without two processes
// ending up holding "the" lock on two different inodes.
#pragma once

#include <filesystem>
#include <optional>

#include "util/unique_fd.hpp"

namespace roost {

enum class LockMode { Shared, Exclusive };

class FileLock {
 public:
  FileLock() = default;
  // Blocks until held. Creates the file (mode 0600) when missing.
  static FileLock acquire(const std::filesystem::path& path, LockMode mode = LockMode::Exclusive);
  // nullopt when another open file description holds a conflicting lock.
  static std::optional<FileLock> try_acquire(const std::filesystem::path& path,
                                             LockMode mode = LockMode::Exclusive);
  bool held() const { return fd_.valid(); }
  // Unlinks the file while the lock is held, then releases it.
  void remove_and_release();
  void release() { fd_.reset(); }

 private:
  static std::optional<FileLock> lock(const std::filesystem::path& path, LockMode mode, bool wait);
  std::filesystem::path path_;
  UniqueFd fd_;
};

}  // namespace roost
