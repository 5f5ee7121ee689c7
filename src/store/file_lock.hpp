// The store's lock files: util/file_lock (shared with the engine's container store), under the
// names the store's code uses.
#pragma once

#include "util/file_lock.hpp"

namespace roost::store {

using roost::FileLock;
using roost::LockMode;

}  // namespace roost::store
