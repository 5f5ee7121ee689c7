// A client of one repository of an OCI/Docker registry (distribution-spec), through libcurl (opened
// with dlopen on first use: commands that never reach a registry do not pay for loading it and its
// 40 libraries). It pings /v2/, keeps the challenge, and answers 401s with the Bearer token flow
// (anonymous or with credentials; one token per scope, cached, at least 60 s; one retry with the
// new scope) or Basic auth. Redirects are followed by hand so Authorization never goes to another
// host. Blobs are streamed into a ByteSink; a connection cut mid-blob is resumed with Range (206
// and a matching Content-Range, else refetched from 0 only when the sink can restart: it cannot,
// so it is an error). Thread-safe: pull fetches layers from several threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "image/digest.hpp"
#include "image/manifest.hpp"
#include "image/reference.hpp"
#include "util/byte_sink.hpp"

namespace roost::registry {

struct Credentials {
  std::string username, password;  // or an identity token with username "<token>"
  std::string identity_token;
};

struct ClientOptions {
  bool tls_verify = true;             // false: --tls-verify=false, and http:// is tried after https
  std::string auth_file;              // --authfile / REGISTRY_AUTH_FILE; empty: the search order
  std::optional<Credentials> credentials;  // explicit (--creds, login); else from the auth files
  std::string cert_dir;               // --cert-dir; else certs.d of the host:port
  std::string user_agent = "roost";
};

struct FetchedDocument {
  std::string bytes;
  std::string content_type;
  image::Digest digest;  // sha256 of the bytes (checked against the reference's digest, if any)
};

class RegistryClient {
 public:
  // `registry_host` is the API host (Reference::api_host(), or a mirror); `repository` its path.
  RegistryClient(std::string registry_host, std::string repository, ClientOptions options);
  ~RegistryClient();

  // GET /v2/ with credentials: throws with the registry's words when they are refused (login).
  void check_login();
  // HEAD of a manifest: its digest from Docker-Content-Digest; nullopt when the registry omits it.
  std::optional<image::Digest> head_manifest(const std::string& tag_or_digest);
  // GET of a manifest or index with the Accept list of OCI and Docker v2 types; the body capped at
  // image::kMaxManifestBytes; when `tag_or_digest` is a digest the body must hash to it.
  FetchedDocument get_manifest(const std::string& tag_or_digest);
  // A small blob (a config) into memory, size and digest checked.
  std::string get_blob(const image::Descriptor& blob, size_t cap);
  // A blob streamed into `sink`; `progress` gets the bytes received so far. Size and digest are the
  // sink's to check (LayerWriter does); this checks the byte count against blob.size.
  void fetch_blob(const image::Descriptor& blob, util::ByteSink& sink,
                  const std::function<void(int64_t)>& progress = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether libcurl can be loaded here ("" when it can, else what to install).
std::string curl_unavailable_reason();

}  // namespace roost::registry
