#include "engine/info.hpp"

#include <sys/utsname.h>

#include "image/manifest.hpp"
#include "layer/decompress.hpp"
#include "registry/registry_client.hpp"
#include "store/overlay_probe.hpp"
#include "store/userns_session.hpp"

namespace roost::engine {
namespace {

void yaml(const nlohmann::ordered_json& v, int indent, std::string& out) {
  const std::string pad(static_cast<size_t>(indent), ' ');
  for (const auto& [k, x] : v.items()) {
    if (x.is_object()) {
      out += pad + k + ":\n";
      yaml(x, indent + 2, out);
    } else if (x.is_array()) {
      out += pad + k + ":\n";
      for (const auto& e : x) out += pad + "- " + (e.is_string() ? e.get<std::string>() : e.dump()) + "\n";
    } else {
      out += pad + k + ": " + (x.is_string() ? x.get<std::string>() : x.dump()) + "\n";
    }
  }
}

}  // namespace

nlohmann::ordered_json gather_info(store::Store& store) {
  const store::UsernsSession& session = store::enter_user_namespace();
  const store::OverlayProbe probe = store::probe_overlay(store.paths());
  struct utsname u{};
  ::uname(&u);
  const image::Platform platform = image::host_platform();
  const std::string curl = registry::curl_unavailable_reason();
  const store::Usage usage = store.usage();
  nlohmann::ordered_json info;
  info["host"] = {{"arch", platform.architecture},
                  {"os", platform.os},
                  {"kernel", u.release},
                  {"idMappings", session.map_summary},
                  {"squashedIds", session.squash_ids},
                  {"rootless", !session.real_root},
                  {"gzipInflater", layer::gzip_implementation()},
                  {"libcurl", curl.empty() ? std::string("available") : curl}};
  info["store"] = {{"graphRoot", store.paths().storage().string()},
                   {"runRoot", store.paths().run_root.string()},
                   {"graphDriverName", store::driver_name(probe.driver)},
                   {"graphDriverDetail", probe.detail},
                   {"imageStore", {{"number", usage.images}}},
                   {"layerStore", {{"number", usage.layers}}}};
  return info;
}

std::string info_yaml(const nlohmann::ordered_json& info) {
  std::string out;
  yaml(info, 0, out);
  return out;
}

}  // namespace roost::engine
