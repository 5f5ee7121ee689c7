// Where the image store lives. Rootless: data under $XDG_DATA_HOME/roost (default
// ~/.local/share/roost), run-time state under $XDG_RUNTIME_DIR/roost (default /run/user/UID/roost,
// else /tmp/roost-UID). Real root: /var/lib/roost and /run/roost. `--root`/`--runroot` (and
// ROOST_ROOT/ROOST_RUNROOT) replace them.
#pragma once

#include <filesystem>
#include <string>

namespace roost::store {

struct StorePaths {
  std::filesystem::path data_root;  // storage/ (layers, images), containers later
  std::filesystem::path run_root;   // probes' cache, mounts

  static StorePaths for_current_user();  // from the environment, as above
  std::filesystem::path storage() const { return data_root / "storage"; }
};

}  // namespace roost::store
