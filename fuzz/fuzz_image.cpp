// libFuzzer target: the image model's parsers, which read what a registry or an archive sends.
// The first byte picks one: a reference, a manifest, an index, a config, or the kind of a
// document. Each may only answer with a result or a roost::Error, and what it accepts must
// survive a round trip: a parsed reference prints to a text that parses to itself, and a parsed
// manifest or index, written by roost, parses back to the same JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "image/image_config.hpp"
#include "image/manifest.hpp"
#include "image/reference.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 5) {
      case 0: {
        roost::image::Reference r = roost::image::parse_reference(body);
        if (roost::image::parse_reference(r.str()).str() != r.str()) abort();
        break;
      }
      case 1: {
        std::string once = roost::image::manifest_json(roost::image::parse_manifest(body));
        if (roost::image::manifest_json(roost::image::parse_manifest(once)) != once) abort();
        break;
      }
      case 2: {
        roost::image::Index idx = roost::image::parse_index(body);
        std::string once = roost::image::index_json(idx);
        if (roost::image::index_json(roost::image::parse_index(once)) != once) abort();
        roost::image::choose_platform(idx, roost::image::parse_platform("linux/arm64/v8"));
        break;
      }
      case 3:
        roost::image::parse_image_config(std::string(body));
        break;
      case 4:
        roost::image::document_kind(body.substr(0, body.find('\n')), body);
        roost::image::layer_compression(body);
        break;
    }
  } catch (const roost::Error&) {
  }
  return 0;
}
