#include "sys/rlimits.hpp"

#include <sys/resource.h>

#include <string_view>
#include <utility>

#include "util/error.hpp"

namespace roost {
namespace {

constexpr std::pair<std::string_view, int> kRlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},       {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},   {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},   {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

}  // namespace

int rlimit_resource(const std::string& name) {
  for (const auto& [n, v] : kRlimits)
    if (n == name) return v;
  throw Error("unknown rlimit \"" + name + "\"");
}

void validate_rlimits(const std::vector<oci::Rlimit>& limits) {
  for (const auto& l : limits) rlimit_resource(l.type);
}

void apply_rlimits(const std::vector<oci::Rlimit>& limits) {
  for (const auto& l : limits) {
    struct rlimit rl = {static_cast<rlim_t>(l.soft), static_cast<rlim_t>(l.hard)};
    if (::setrlimit(rlimit_resource(l.type), &rl) < 0)
      throw_errno("set " + l.type + " to " + std::to_string(l.soft) + ":" + std::to_string(l.hard));
  }
}

}  // namespace roost
