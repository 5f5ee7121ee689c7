// roost logout [-a] [--authfile F] REGISTRY
#include "cli/engine/command.hpp"
#include "engine/login.hpp"
#include "util/error.hpp"

namespace roost::cli {
namespace {

std::string registry_name, auth_file;
bool all = false;

void add_options(CLI::App& cmd) {
  cmd.add_flag("-a,--all", all, "remove the credentials of every registry");
  cmd.add_option("--authfile", auth_file, "credentials file")->envname("REGISTRY_AUTH_FILE");
  cmd.add_option("registry", registry_name, "host[:port]");
}

int run(const engine::GlobalOptions&, CLI::App&) {
  if (all) {
    if (!registry_name.empty()) throw Error("--all takes no registry");
    engine::logout_all(auth_file);
    print_out("Removed login credentials for all registries\n");
    return 0;
  }
  if (registry_name.empty()) throw Error("logout needs a registry (or --all)");
  engine::logout(registry_name, auth_file);
  print_out("Removed login credentials for " + registry_name + "\n");
  return 0;
}

}  // namespace

const EngineCommand kLogoutCommand{nullptr, "logout", "remove a registry's stored credentials", add_options, run};

}  // namespace roost::cli
