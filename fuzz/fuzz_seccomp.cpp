// libFuzzer target: a linux.seccomp object through the parser and libseccomp's translation to BPF
// (compiled, never loaded). Any input must end in a filter or a roost::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "oci/spec.hpp"
#include "sys/seccomp.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string doc = R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"seccomp":)" +
                          std::string(reinterpret_cast<const char*>(data), size) + "}}";
  try {
    auto spec = roost::oci::parse_spec(doc);
    if (spec.linux.seccomp) roost::SeccompFilter::compile(*spec.linux.seccomp);
  } catch (const roost::Error&) {
  }
  return 0;
}
