// Parsing of /etc/subuid and /etc/subgid: "name-or-uid:start:count" lines.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace roost::idmap {

struct SubIdRange {
  uint32_t start = 0;
  uint32_t count = 0;
  bool operator==(const SubIdRange&) const = default;
};

// The ranges that belong to the user, named either by login name or by numeric id, in file order.
// Comments, blank and malformed lines are skipped, as shadow-utils does.
std::vector<SubIdRange> parse_subid(const std::string& text, const std::string& user_name, uint32_t id);

// Reads the file (missing file: no ranges).
std::vector<SubIdRange> read_subid_file(const std::string& path, const std::string& user_name, uint32_t id);

}  // namespace roost::idmap
