#include "engine/context.hpp"

#include <cstdio>
#include <ctime>

#include <fcntl.h>
#include <unistd.h>

#include "util/log.hpp"

namespace roost::engine {

store::StorePaths store_paths(const GlobalOptions& global) {
  store::StorePaths paths = store::StorePaths::for_current_user();
  if (!global.root.empty()) paths.data_root = global.root;
  if (!global.run_root.empty()) paths.run_root = global.run_root;
  return paths;
}

store::Store open_store(const GlobalOptions& global) {
  const store::StorePaths paths = store_paths(global);
  store::enter_user_namespace(paths.run_root);
  return store::Store::open(paths);
}

layer::ApplyOptions apply_options(const store::Store& store) {
  const store::UsernsSession& session = store::enter_user_namespace();
  static bool said = false;
  if (session.squash_ids && !said) {
    said = true;
    // Once per store, not per command: the first process to create the marker says it.
    const std::string marker = (store.paths().storage() / "squashed-ids-noted").string();
    int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::close(fd);
      log::warn("no subordinate id range for this user (/etc/subuid): every file of the image belongs to you");
    }
  }
  layer::ApplyOptions apply;
  apply.squash_ids = session.squash_ids;
  apply.real_root = session.real_root;
  apply.warn = [](const std::string& w) { log::warn(w); };
  return apply;
}


}  // namespace roost::engine
