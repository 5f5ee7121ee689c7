#include "idmap/idmap.hpp"

#include <algorithm>
#include <charconv>

#include "util/error.hpp"

namespace roost::idmap {

Mappings rootless_mappings(uint32_t host_id, const std::vector<SubIdRange>& ranges) {
  Mappings maps{{0, host_id, 1}};
  uint64_t next = 1;
  for (const auto& r : ranges) {
    if (next + r.count > 0xFFFFFFFFull) break;
    maps.push_back({static_cast<uint32_t>(next), r.start, r.count});
    next += r.count;
  }
  return maps;
}

void validate(const Mappings& maps, const std::string& kind) {
  // The kernel accepts at most 340 lines in uid_map/gid_map.
  if (maps.size() > 340) throw Error(kind + " mappings: " + std::to_string(maps.size()) + " entries, the kernel takes 340");
  for (size_t i = 0; i < maps.size(); ++i) {
    const auto& a = maps[i];
    if (a.size == 0) throw Error(kind + " mappings: an entry has size 0");
    if (uint64_t(a.container_id) + a.size > 0x100000000ull || uint64_t(a.host_id) + a.size > 0x100000000ull)
      throw Error(kind + " mappings: entry " + std::to_string(a.container_id) + " " + std::to_string(a.host_id) + " " +
                  std::to_string(a.size) + " goes past the largest id");
    for (size_t j = i + 1; j < maps.size(); ++j) {
      const auto& b = maps[j];
      auto overlap = [](uint64_t s1, uint64_t n1, uint64_t s2, uint64_t n2) { return s1 < s2 + n2 && s2 < s1 + n1; };
      if (overlap(a.container_id, a.size, b.container_id, b.size))
        throw Error(kind + " mappings overlap in the container: ids " + std::to_string(a.container_id) + "+" +
                    std::to_string(a.size) + " and " + std::to_string(b.container_id) + "+" + std::to_string(b.size));
      if (overlap(a.host_id, a.size, b.host_id, b.size))
        throw Error(kind + " mappings overlap on the host: ids " + std::to_string(a.host_id) + "+" +
                    std::to_string(a.size) + " and " + std::to_string(b.host_id) + "+" + std::to_string(b.size));
    }
  }
}

void check_reachable(const Mappings& maps, uint32_t self, const std::vector<SubIdRange>& ranges,
                     const std::string& kind) {
  for (const auto& m : maps) {
    // Walk the host range and require each part to lie in the caller's own id or one of its ranges.
    uint64_t id = m.host_id;
    const uint64_t end = uint64_t(m.host_id) + m.size;
    while (id < end) {
      if (id == self) {
        ++id;
        continue;
      }
      auto it = std::find_if(ranges.begin(), ranges.end(),
                             [&](const SubIdRange& r) { return id >= r.start && id < uint64_t(r.start) + r.count; });
      if (it == ranges.end())
        throw Error("host " + kind + " " + std::to_string(id) + " cannot be mapped: it is neither yours (" +
                    std::to_string(self) + ") nor in your /etc/sub" + kind + " ranges");
      id = std::min<uint64_t>(end, uint64_t(it->start) + it->count);
    }
  }
}

bool is_self_only(const Mappings& maps, uint32_t self) {
  return maps.size() == 1 && maps[0].size == 1 && maps[0].host_id == self;
}

bool to_host(const Mappings& maps, uint32_t container_id, uint32_t& host_id) {
  for (const auto& m : maps) {
    if (container_id >= m.container_id && uint64_t(container_id) < uint64_t(m.container_id) + m.size) {
      host_id = m.host_id + (container_id - m.container_id);
      return true;
    }
  }
  return false;
}

std::string format_proc_map(const Mappings& maps) {
  std::string out;
  for (const auto& m : maps)
    out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " + std::to_string(m.size) + "\n";
  return out;
}

Mappings parse_proc_map(const std::string& text) {
  Mappings maps;
  const char* p = text.c_str();
  for (;;) {
    uint32_t v[3];
    for (uint32_t& n : v) {
      while (*p == ' ' || *p == '\t' || *p == '\n') ++p;
      const auto r = std::from_chars(p, text.c_str() + text.size(), n);
      if (r.ec != std::errc()) return maps;
      p = r.ptr;
    }
    maps.push_back({v[0], v[1], v[2]});
  }
}

std::vector<std::string> helper_argv(const std::string& helper, pid_t pid, const Mappings& maps) {
  std::vector<std::string> argv{helper, std::to_string(pid)};
  for (const auto& m : maps) {
    argv.push_back(std::to_string(m.container_id));
    argv.push_back(std::to_string(m.host_id));
    argv.push_back(std::to_string(m.size));
  }
  return argv;
}

}  // namespace roost::idmap
