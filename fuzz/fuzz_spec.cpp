// libFuzzer target: config.json into the Spec model. Any input must end in a Spec or a
// roost::Error; another exception, a crash or a sanitizer report is a bug. The deferred reading
// of linux.seccomp (what create and exec use) must agree with the whole one: the same outcome,
// and the same profile once its text is read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "oci/spec.hpp"
#include "sys/seccomp_cache.hpp"
#include "util/error.hpp"

namespace {

std::optional<std::string> profile_key(const std::optional<roost::oci::Seccomp>& profile) {
  if (!profile) return std::nullopt;
  return roost::seccomp_profile_key(*profile);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::optional<roost::oci::Spec> now;
  try {
    now = roost::oci::parse_spec(text);
  } catch (const roost::Error&) {
  }
  std::optional<roost::oci::Spec> deferred;
  std::optional<std::string> deferred_key;
  bool deferred_failed = false;
  try {
    deferred = roost::oci::parse_spec(text, roost::oci::SeccompParse::Deferred);
    deferred_key = profile_key(roost::oci::seccomp_profile(deferred->linux));
  } catch (const roost::Error&) {
    deferred_failed = true;
  }
  // Deferring only moves where a profile's error is found; it never accepts what the whole
  // reading refuses, nor refuses what it accepts, and the profiles are the same.
  if (now.has_value() == deferred_failed) std::abort();
  if (now && profile_key(now->linux.seccomp) != deferred_key) std::abort();
  try {
    roost::oci::parse_process(text);
  } catch (const roost::Error&) {
  }
  return 0;
}
