// roost image mount IMAGE, roost image umount IMAGE (inside `roost unshare`)
#include "cli/engine/command.hpp"
#include "engine/unshare.hpp"

namespace roost::cli {
namespace {

std::string image_ref;

void add_options(CLI::App& cmd) { cmd.add_option("image", image_ref, "name or ID")->required(); }

int run_mount(const engine::GlobalOptions& global, CLI::App&) {
  store::Store store = engine::open_store(global);
  print_out(engine::mount_image(store, image_ref).string() + "\n");
  return 0;
}

int run_umount(const engine::GlobalOptions& global, CLI::App&) {
  store::Store store = engine::open_store(global);
  engine::unmount_image(store, image_ref);
  return 0;
}

}  // namespace

const EngineCommand kImageMountCommand{"image", "mount", "mount an image's layers read-only (inside roost unshare); prints where",
                                       add_options, run_mount};
const EngineCommand kImageUmountCommand{"image", "umount", "unmount what image mount mounted", add_options, run_umount};

}  // namespace roost::cli
