// What every image command starts from: where the store is (--root/--runroot over the defaults of
// store/store_paths) and the store itself, opened inside the user's user namespace.
#pragma once

#include <string>

#include "layer/layer_writer.hpp"
#include "store/store.hpp"
#include "store/store_paths.hpp"
#include "store/userns_session.hpp"

namespace roost::engine {

struct GlobalOptions {
  std::string root;     // --root / ROOST_ROOT: replaces data_root
  std::string run_root; // --runroot / ROOST_RUNROOT: replaces run_root
};

store::StorePaths store_paths(const GlobalOptions& global);

// Enters the user namespace (store/userns_session: must be called while single-threaded, so
// before any thread of a pull starts) and opens the store.
store::Store open_store(const GlobalOptions& global);

// How layers are applied in this process's user namespace (entered first): squashed ids without
// a subuid range (said once per store, on stderr: a marker file in its storage dir), trusted.*
// overlay xattrs as real root, warnings on stderr.
layer::ApplyOptions apply_options(const store::Store& store);


}  // namespace roost::engine
