// roost-runtime spec [--rootless] [-b DIR]: a new config.json.
#include <fcntl.h>

#include "cli/runtime/command.hpp"
#include "oci/default_spec.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::cli {
namespace {

bool rootless = false;
std::string bundle_dir = ".";

void add_options(OptionParser& cmd) {
  cmd.flag("--rootless", rootless, "a config for an unprivileged user");
  cmd.text("-b,--bundle", bundle_dir, "bundle directory");
}

int run(const Runtime&) {
  std::string path = bundle_dir + "/config.json";
  if (path_exists(path)) throw Error(path + " already exists");
  write_file(path, oci::default_spec_json(rootless), O_CREAT | O_EXCL, 0644);
  return 0;
}

}  // namespace

const Command kSpecCommand{"spec", "write a new config.json into the bundle", add_options, run};

}  // namespace roost::cli
