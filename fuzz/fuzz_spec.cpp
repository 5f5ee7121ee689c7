// libFuzzer target: config.json into the Spec model. Any input must end in a Spec or a
// roost::Error; another exception, a crash or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "oci/spec.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    roost::oci::parse_spec(text);
  } catch (const roost::Error&) {
  }
  try {
    roost::oci::parse_process(text);
  } catch (const roost::Error&) {
  }
  return 0;
}
