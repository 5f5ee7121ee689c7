// A container's user from the image's passwd and group files (ctr/passwd.hpp).
#include "ctr/passwd.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost::ctr {

namespace {

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0, gid = 0;
  std::string home;
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

// A decimal id in 0..2^31-1 (runc's range), or nullopt.
std::optional<uint32_t> parse_id(const std::string& s) {
  if (s.empty() || s.size() > 10 || !std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::nullopt;
  const unsigned long long v = std::stoull(s);
  if (v > 0x7fffffffULL) return std::nullopt;
  return static_cast<uint32_t>(v);
}

// The file's entries split on ':', blank and "#" lines skipped.
std::vector<std::vector<std::string>> records(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  for (std::string line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    out.push_back(split(line, ':'));
  }
  return out;
}

std::vector<PasswdEntry> parse_passwd(const std::string& text) {
  std::vector<PasswdEntry> out;
  for (const auto& f : records(text)) {
    if (f.size() < 4) continue;  // malformed: skipped, as libc does
    auto uid = parse_id(f[2]), gid = parse_id(f[3]);
    if (!uid || !gid) continue;
    out.push_back(PasswdEntry{f[0], *uid, *gid, f.size() > 5 ? f[5] : ""});
  }
  return out;
}

std::vector<GroupEntry> parse_group(const std::string& text) {
  std::vector<GroupEntry> out;
  for (const auto& f : records(text)) {
    if (f.size() < 3) continue;
    auto gid = parse_id(f[2]);
    if (!gid) continue;
    GroupEntry g{f[0], *gid, {}};
    if (f.size() > 3 && !f[3].empty())
      for (auto& m : split(f[3], ',')) g.members.push_back(m);
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace

ResolvedUser resolve_user(const std::string& spec, const std::string& passwd_text, const std::string& group_text) {
  const size_t colon = spec.find(':');
  const std::string user_arg = spec.substr(0, colon);
  const std::string group_arg = colon == std::string::npos ? "" : spec.substr(colon + 1);

  ResolvedUser out;
  const auto passwd = parse_passwd(passwd_text);
  const PasswdEntry* entry = nullptr;
  if (auto uid = parse_id(user_arg.empty() ? "0" : user_arg)) {
    out.uid = *uid;
    for (const auto& p : passwd)
      if (p.uid == *uid) {
        entry = &p;
        break;
      }
  } else {
    for (const auto& p : passwd)
      if (p.name == user_arg) {
        entry = &p;
        break;
      }
    if (!entry) throw Error("unable to find user " + user_arg + ": no matching entries in passwd file");
    out.uid = entry->uid;
  }
  if (entry) {
    out.gid = entry->gid;
    if (!entry->home.empty()) out.home = entry->home;
  }

  const auto groups = parse_group(group_text);
  if (!group_arg.empty()) {
    if (auto gid = parse_id(group_arg)) {
      out.gid = *gid;
    } else {
      auto g = std::find_if(groups.begin(), groups.end(), [&](const GroupEntry& e) { return e.name == group_arg; });
      if (g == groups.end()) throw Error("unable to find group " + group_arg + ": no matching entries in group file");
      out.gid = g->gid;
    }
  } else if (entry) {
    // Supplementary groups only in the implicit form, as runc: an explicit group is the whole set.
    for (const auto& g : groups)
      if (std::find(g.members.begin(), g.members.end(), entry->name) != g.members.end() &&
          std::find(out.additional_gids.begin(), out.additional_gids.end(), g.gid) == out.additional_gids.end())
        out.additional_gids.push_back(g.gid);
  }
  return out;
}

}  // namespace roost::ctr
