// libFuzzer target: /etc/subuid and /etc/subgid text. The parser never throws; every range it
// returns must be non-empty and must not wrap around the 32-bit id space.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "idmap/subid.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const auto& [name, id] : {std::pair<const char*, uint32_t>{"roost", 1000}, {"0", 0}, {"", 4294967295u}}) {
    for (const auto& r : roost::idmap::parse_subid(text, name, id)) {
      if (r.count == 0 || static_cast<uint64_t>(r.start) + r.count > (1ULL << 32)) abort();
    }
  }
  return 0;
}
