#include "registry/curl_library.hpp"

#include <mutex>

#include "registry/registry_client.hpp"
#include "util/error.hpp"
#include "util/shared_library.hpp"

namespace roost::registry {
namespace {

struct Loaded {
  CurlLibrary fns{};
  bool ok = false;
  std::string reason;  // "" when ok
};

Loaded& load() {
  static Loaded loaded;
  static std::once_flag once;
  std::call_once(once, [] {
    // Never closed (SharedLibrary does not dlclose): curl keeps global state until exit.
    static util::SharedLibrary lib({"libcurl.so.4", "libcurl-gnutls.so.4"});
    if (!lib.loaded()) {
      loaded.reason = "libcurl cannot be loaded (" + lib.error() +
                      "): install libcurl4 (apt-get install libcurl4)";
      return;
    }
    CurlLibrary& f = loaded.fns;
    bool ok = lib.bind(f.global_init, "curl_global_init") && lib.bind(f.easy_init, "curl_easy_init") &&
              lib.bind(f.easy_setopt, "curl_easy_setopt") && lib.bind(f.easy_perform, "curl_easy_perform") &&
              lib.bind(f.easy_getinfo, "curl_easy_getinfo") && lib.bind(f.easy_cleanup, "curl_easy_cleanup") &&
              lib.bind(f.easy_reset, "curl_easy_reset") && lib.bind(f.easy_strerror, "curl_easy_strerror") &&
              lib.bind(f.slist_append, "curl_slist_append") &&
              lib.bind(f.slist_free_all, "curl_slist_free_all") && lib.bind(f.share_init, "curl_share_init") &&
              lib.bind(f.share_setopt, "curl_share_setopt") &&
              lib.bind(f.share_cleanup, "curl_share_cleanup") && lib.bind(f.url, "curl_url") &&
              lib.bind(f.url_cleanup, "curl_url_cleanup") && lib.bind(f.url_set, "curl_url_set") &&
              lib.bind(f.url_get, "curl_url_get") && lib.bind(f.free, "curl_free");
    if (!ok) {
      // curl_url and friends arrived in 7.62; an older libcurl lacks them.
      loaded.reason = "libcurl is too old (" + lib.error() + "): install libcurl4 (apt-get install libcurl4)";
      return;
    }
    CURLcode rc = f.global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
      loaded.reason = std::string("curl_global_init failed: ") + f.easy_strerror(rc);
      return;
    }
    loaded.ok = true;
  });
  return loaded;
}

}  // namespace

const CurlLibrary* curl_library() {
  Loaded& l = load();
  return l.ok ? &l.fns : nullptr;
}

const CurlLibrary& require_curl() {
  Loaded& l = load();
  if (!l.ok) throw Error(l.reason);
  return l.fns;
}

std::string curl_unavailable_reason() { return load().reason; }

}  // namespace roost::registry
