// The store's small-file discipline now lives in util/dir_files (the engine's container store
// shares it); these names keep the store's code reading as before.
#pragma once

#include "util/dir_files.hpp"

namespace roost::store {

using roost::fsync_fd;
using roost::make_dir_at;
using roost::open_dir;
using roost::open_dir_at;
using roost::random_hex;
using roost::random_suffix;
using roost::read_file_at;
using roost::remove_tree_at;
using roost::write_file_durable;

}  // namespace roost::store
