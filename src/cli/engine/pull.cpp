// roost pull [--platform OS/ARCH[/VARIANT]] [-q] [--tls-verify=false] [--authfile F] [--creds U:P]
//            [--cert-dir DIR] REF
#include "cli/engine/command.hpp"
#include "engine/pull.hpp"

namespace roost::cli {
namespace {

std::string ref, platform, auth_file, creds, cert_dir;
bool quiet = false, tls_verify = true;

void add_options(CLI::App& cmd) {
  cmd.add_option("--platform", platform, "OS/ARCH[/VARIANT] to choose from a multi-platform image");
  cmd.add_flag("-q,--quiet", quiet, "print only the image ID");
  cmd.add_flag("--tls-verify{true}", tls_verify, "verify the registry's certificate (--tls-verify=false: do not, and allow http)");
  cmd.add_option("--authfile", auth_file, "credentials file (default: the containers auth.json search)")->envname("REGISTRY_AUTH_FILE");
  cmd.add_option("--creds", creds, "USERNAME:PASSWORD for the registry");
  cmd.add_option("--cert-dir", cert_dir, "directory of ca.crt (and client certificates) for the registry");
  cmd.add_option("image", ref, "the image reference")->required();
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  engine::PullOptions options;
  options.platform = platform;
  options.tls_verify = tls_verify;
  options.auth_file = auth_file;
  options.cert_dir = cert_dir;
  if (!creds.empty()) options.credentials = engine::parse_creds(creds);
  store::Store store = engine::open_store(global);
  engine::Progress progress(engine::progress_mode_for_stderr(quiet));
  const std::string id = engine::pull(store, ref, options, progress);
  print_out(id + "\n");
  return 0;
}

}  // namespace

const EngineCommand kPullCommand{nullptr, "pull", "pull an image from a registry", add_options, run};

}  // namespace roost::cli
