#include "oci/resources.hpp"

#include <nlohmann/json.hpp>

#include "oci/json_fields.hpp"
#include "util/error.hpp"

namespace roost::oci {
namespace {

using json = nlohmann::json;
using fields::array_at;
using fields::get_to;
using fields::is_empty_value;
using fields::object_at;

// A value that asks for nothing: absent, null, zero, false or empty.
bool no_request(const json& v) {
  return is_empty_value(v) || (v.is_number() && v.get<double>() == 0) || (v.is_boolean() && !v.get<bool>());
}

void refuse(const json& obj, const std::vector<std::string>& keys, const std::string& where, const char* why) {
  for (const auto& key : keys) {
    auto it = obj.find(key);
    if (it != obj.end() && !no_request(*it))
      throw Error("config.json: " + where + "." + key + ": " + why);
  }
}

template <typename T>
std::optional<T> optional_at(const json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  T value{};
  get_to(obj, key, value, where);
  return value;
}

}  // namespace

bool Resources::empty() const {
  return !memory_limit && !memory_reservation && !memory_swap && !cpu_shares && !cpu_quota && !cpu_period &&
         !cpu_burst && !cpu_idle && cpuset_cpus.empty() && cpuset_mems.empty() && !pids_limit && !blkio_weight &&
         hugepage_limits.empty() && unified.empty();
}

Resources parse_resources(const json& res) {
  static const char* v1_only = "only cgroup v1 has this; roost-runtime manages cgroup v2";
  static const char* not_done = "not supported by roost-runtime yet";
  const std::string where = "linux.resources";
  Resources r;
  // Device rules need a device cgroup (v1) or an eBPF program (v2); roost-runtime accepts them
  // without enforcing: the container can only reach the device nodes the runtime puts in its /dev.
  refuse(res, {"network", "rdma"}, where, v1_only);

  const json& mem = object_at(res, "memory", where);
  const std::string mw = where + ".memory";
  r.memory_limit = optional_at<int64_t>(mem, "limit", mw);
  r.memory_reservation = optional_at<int64_t>(mem, "reservation", mw);
  r.memory_swap = optional_at<int64_t>(mem, "swap", mw);
  // kernel and kernelTCP (deprecated in the runtime-spec) were cgroup v1 limits too: a request
  // for them is refused rather than ignored.
  refuse(mem, {"swappiness", "disableOOMKiller", "useHierarchy", "kernel", "kernelTCP"}, mw, v1_only);

  const json& cpu = object_at(res, "cpu", where);
  const std::string cw = where + ".cpu";
  r.cpu_shares = optional_at<uint64_t>(cpu, "shares", cw);
  r.cpu_quota = optional_at<int64_t>(cpu, "quota", cw);
  r.cpu_period = optional_at<uint64_t>(cpu, "period", cw);
  r.cpu_burst = optional_at<uint64_t>(cpu, "burst", cw);
  r.cpu_idle = optional_at<int64_t>(cpu, "idle", cw);
  get_to(cpu, "cpus", r.cpuset_cpus, cw);
  get_to(cpu, "mems", r.cpuset_mems, cw);
  refuse(cpu, {"realtimeRuntime", "realtimePeriod"}, cw, v1_only);

  r.pids_limit = optional_at<int64_t>(object_at(res, "pids", where), "limit", where + ".pids");

  const json& bio = object_at(res, "blockIO", where);
  const std::string bw = where + ".blockIO";
  r.blkio_weight = optional_at<uint16_t>(bio, "weight", bw);
  if (r.blkio_weight == 0) r.blkio_weight.reset();
  if (r.blkio_weight && (*r.blkio_weight < 10 || *r.blkio_weight > 1000))
    throw Error("config.json: " + bw + ".weight: must be between 10 and 1000");
  refuse(bio, {"leafWeight", "weightDevice", "throttleReadBpsDevice", "throttleWriteBpsDevice",
               "throttleReadIOPSDevice", "throttleWriteIOPSDevice"},
         bw, not_done);

  for (const auto& h : array_at(res, "hugepageLimits", where)) {
    HugepageLimit limit;
    get_to(h, "pageSize", limit.page_size, where + ".hugepageLimits[]");
    get_to(h, "limit", limit.limit, where + ".hugepageLimits[]");
    if (limit.page_size.empty() || limit.page_size.find('/') != std::string::npos)
      throw Error("config.json: " + where + ".hugepageLimits[].pageSize: missing or malformed");
    r.hugepage_limits.push_back(std::move(limit));
  }

  get_to(res, "unified", r.unified, where);
  for (const auto& [file, value] : r.unified)
    if (file.empty() || file.find('/') != std::string::npos || file[0] == '.' || file.find('.') == std::string::npos)
      throw Error("config.json: " + where + ".unified: \"" + file + "\" is not a cgroup v2 interface file name");
  return r;
}

Resources parse_resources_text(const std::string& text, const std::string& origin) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e9999
    throw Error(origin + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object()) throw Error(origin + ": must be a JSON object");
  try {
    return parse_resources(doc);
  } catch (const Error& e) {
    // The parser names config.json; here the document is the caller's.
    std::string msg = e.what();
    const std::string prefix = "config.json: linux.resources";
    if (msg.rfind(prefix, 0) == 0) msg = origin + msg.substr(prefix.size());
    throw Error(msg);
  }
}

}  // namespace roost::oci
