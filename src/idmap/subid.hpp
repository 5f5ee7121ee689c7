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

// Where a caller's ranges come from (rootlesskit's --subid-source): dynamic asks getsubids
// ($GETSUBIDS overrides /usr/bin/getsubids), static reads /etc/subuid and /etc/subgid, auto is
// dynamic when /etc/nsswitch.conf names a subid service other than files (getsubids would only
// read the same files otherwise), then static when that gives no ranges.
enum class SubIdSource { Auto, Dynamic, Static };

struct CallerSubIds {
  std::vector<SubIdRange> uids, gids;
};

// getsubids's output, "0: alice 100000 65536" lines.
std::vector<SubIdRange> parse_getsubids(const std::string& output);

// Throws roost::Error when the dynamic source was asked for and getsubids failed.
CallerSubIds read_caller_subids(SubIdSource source, const std::string& user_name, uint32_t uid);

}  // namespace roost::idmap
