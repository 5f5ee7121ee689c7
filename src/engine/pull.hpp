// `roost pull`: a reference resolved (registries.conf's mirrors and unqualified-search registries,
// else Docker's normalisation to docker.io), its manifest (an index resolved to one platform),
// config and layers fetched from the registry and stored; layers the store has are not fetched,
// and a tag whose manifest digest is the stored image's is not even fetched again (HEAD only).
#pragma once

#include <optional>
#include <string>

#include "engine/progress.hpp"
#include "registry/registry_client.hpp"
#include "store/store.hpp"

namespace roost::engine {

struct PullOptions {
  std::string platform;           // --platform OS/ARCH[/VARIANT]; empty: this host's
  bool tls_verify = true;         // --tls-verify=false
  std::string auth_file;          // --authfile
  std::optional<registry::Credentials> credentials;  // --creds
  std::string cert_dir;           // --cert-dir
};

// At most this many layers are fetched at once (containers/image's maxParallelDownloads).
inline constexpr size_t kMaxParallelLayers = 6;

// Pulls `text` into `store` (opened inside the user namespace: engine/context) and returns the
// image's ID (64 hex). Throws roost::Error with one clear message; nothing half-stored remains.
std::string pull(store::Store& store, const std::string& text, const PullOptions& options, Progress& progress);

// "user:pass" -> Credentials; throws for a missing colon or an empty user.
registry::Credentials parse_creds(const std::string& text);

}  // namespace roost::engine
