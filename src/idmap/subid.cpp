#include "idmap/subid.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <unistd.h>

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/process.hpp"
#include "util/unique_fd.hpp"

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

std::vector<SubIdRange> parse_getsubids(const std::string& output) {
  std::vector<SubIdRange> out;
  for (const auto& line : split(output, '\n')) {
    // "INDEX: NAME START COUNT"
    std::vector<std::string> words;
    for (const auto& w : split(line, ' '))
      if (!w.empty()) words.push_back(w);
    SubIdRange r;
    if (words.size() != 4 || words[0].empty() || words[0].back() != ':') continue;
    if (!parse_u32(words[2], r.start) || !parse_u32(words[3], r.count) || r.count == 0) continue;
    if (uint64_t(r.start) + r.count > 0xFFFFFFFFull) continue;
    out.push_back(r);
  }
  return out;
}

namespace {

std::vector<SubIdRange> ask_getsubids(const std::string& user_name, bool gids) {
  const char* env = ::getenv("GETSUBIDS");
  ProgramSpec spec;
  spec.path = env && *env ? env : "/usr/bin/getsubids";
  spec.argv = gids ? std::vector<std::string>{"getsubids", "-g", user_name} : std::vector<std::string>{"getsubids", user_name};
  spec.capture_stderr = true;
  spec.timeout_seconds = 10;
  // Its output is read from a file: run_program captures stderr only.
  char path[] = "/tmp/roost-getsubids.XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) throw_errno("mkstemp for getsubids's output");
  ::unlink(path);
  UniqueFd out(fd);
  spec.stdout_fd = out.get();
  ProgramResult r = run_program(spec);
  if (!r.succeeded())
    throw Error(spec.path + " " + user_name + " " + r.describe() + (r.error_output.empty() ? "" : ": " + r.error_output));
  std::string text;
  char buf[4096];
  ssize_t got;
  ::lseek(out.get(), 0, SEEK_SET);
  while ((got = ::read(out.get(), buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(got));
  return parse_getsubids(text);
}

// True when nsswitch.conf sends subid lookups to a service other than the files.
bool nss_has_subid_service() {
  try {
    for (const auto& line : split(read_file("/etc/nsswitch.conf"), '\n')) {
      if (!starts_with(line, "subid:")) continue;
      for (const auto& w : split(line.substr(6), ' '))
        if (!w.empty() && w != "files" && w[0] != '#' && w[0] != '\t') return true;
    }
  } catch (const Error&) {
  }
  return false;
}

}  // namespace

CallerSubIds read_caller_subids(SubIdSource source, const std::string& user_name, uint32_t uid) {
  CallerSubIds ids;
  if (source == SubIdSource::Dynamic || (source == SubIdSource::Auto && nss_has_subid_service())) {
    try {
      ids.uids = ask_getsubids(user_name, false);
      ids.gids = ask_getsubids(user_name, true);
    } catch (const Error&) {
      if (source == SubIdSource::Dynamic) throw;
      ids = {};
    }
    if (source == SubIdSource::Dynamic || (!ids.uids.empty() && !ids.gids.empty())) return ids;
  }
  ids.uids = read_subid_file("/etc/subuid", user_name, uid);
  ids.gids = read_subid_file("/etc/subgid", user_name, uid);
  return ids;
}

}  // namespace roost::idmap
