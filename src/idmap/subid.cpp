#include "idmap/subid.hpp"

#include <cerrno>
#include <charconv>

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::idmap {
namespace {

bool parse_u32(const std::string& s, uint32_t& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

std::vector<SubIdRange> parse_subid(const std::string& text, const std::string& user_name, uint32_t id) {
  std::vector<SubIdRange> out;
  const std::string id_text = std::to_string(id);
  for (std::string line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto fields = split(line, ':');
    if (fields.size() != 3) continue;
    if (fields[0] != user_name && fields[0] != id_text) continue;
    SubIdRange r;
    if (!parse_u32(fields[1], r.start) || !parse_u32(fields[2], r.count) || r.count == 0) continue;
    if (uint64_t(r.start) + r.count > 0xFFFFFFFFull) continue;
    out.push_back(r);
  }
  return out;
}

std::vector<SubIdRange> read_subid_file(const std::string& path, const std::string& user_name, uint32_t id) {
  try {
    return parse_subid(read_file(path), user_name, id);
  } catch (const SysError& e) {
    if (e.err() == ENOENT) return {};
    throw;
  }
}

}  // namespace roost::idmap
