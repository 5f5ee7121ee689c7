// linux.resources of config.json (and the document `update --resources` reads): the limits a
// container's cgroup gets. Parsed into a model whose unset fields are std::nullopt, so "not asked
// for" and "asked for the default" stay apart.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace roost::oci {

struct HugepageLimit {
  std::string page_size;  // "2MB", "1GB"
  uint64_t limit = 0;
};

struct Resources {
  // memory: bytes, -1 for unlimited. swap is memory plus swap, as the runtime-spec defines it.
  std::optional<int64_t> memory_limit, memory_reservation, memory_swap;
  // cpu
  std::optional<uint64_t> cpu_shares;
  std::optional<int64_t> cpu_quota;
  std::optional<uint64_t> cpu_period, cpu_burst;
  std::optional<int64_t> cpu_idle;
  std::string cpuset_cpus, cpuset_mems;
  // pids: -1 (or 0) for unlimited
  std::optional<int64_t> pids_limit;
  // blockIO
  std::optional<uint16_t> blkio_weight;
  std::vector<HugepageLimit> hugepage_limits;
  // cgroup v2 files written as given (linux.resources.unified)
  std::map<std::string, std::string> unified;

  bool empty() const;
};

// Parses a resources object. Fields that only cgroup v1 has, or that roost-runtime does not
// implement, are refused when they carry a request (zero values are no request).
Resources parse_resources(const nlohmann::json& resources);
// The same from JSON text (`update --resources FILE`); errors name the document as `origin`.
Resources parse_resources_text(const std::string& text, const std::string& origin);

}  // namespace roost::oci
