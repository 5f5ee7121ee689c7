#include "sys/program_pages.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <charconv>
#include <string>
#include <string_view>

#include "util/error.hpp"
#include "util/file.hpp"

namespace roost {
namespace {

// A field "Name:   N kB" of an smaps entry, in bytes.
size_t kb_field(std::string_view line, std::string_view name) {
  line.remove_prefix(name.size());
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  size_t kb = 0;
  std::from_chars(line.data(), line.data() + line.size(), kb);
  return kb * 1024;
}

}  // namespace

std::vector<ProgramMapping> program_mappings() {
  char exe[4096];
  const ssize_t len = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) return {};
  const std::string_view self(exe, static_cast<size_t>(len));
  std::string smaps;
  try {
    smaps = read_file("/proc/self/smaps");
  } catch (const Error&) {
    return {};
  }
  // Each entry: "lo-hi perms offset dev inode path" and then "Name: value" lines.
  std::vector<ProgramMapping> out;
  bool mine = false;
  std::string_view rest(smaps);
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (line.empty()) continue;
    if ((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f')) {
      // A mapping's first line: the other lines start with a capitalised "Name:".
      const char* p = line.data();
      const char* end = p + line.size();
      ProgramMapping m;
      mine = false;
      auto a = std::from_chars(p, end, m.start, 16);
      if (a.ec != std::errc() || a.ptr == end || *a.ptr != '-') continue;
      auto b = std::from_chars(a.ptr + 1, end, m.end, 16);
      if (b.ec != std::errc()) continue;
      const std::string_view perms = line.substr(static_cast<size_t>(b.ptr - p) + 1, 4);
      mine = perms.size() == 4 && perms[0] == 'r' && perms[1] != 'w' && line.size() > self.size() &&
             line.ends_with(self) && line[line.size() - self.size() - 1] == ' ';
      if (mine) out.push_back(m);
    } else if (mine && line.starts_with("Rss:")) {
      out.back().resident_bytes = kb_field(line, "Rss:");
    } else if (mine && line.starts_with("Anonymous:")) {
      out.back().anonymous_bytes = kb_field(line, "Anonymous:");
    }
  }
  return out;
}

size_t drop_clean_program_pages() {
  size_t dropped = 0;
  for (const ProgramMapping& m : program_mappings()) {
    if (m.anonymous_bytes != 0 || m.resident_bytes == 0) continue;
    if (::madvise(reinterpret_cast<void*>(m.start), m.end - m.start, MADV_DONTNEED) == 0) dropped += m.resident_bytes;
  }
  return dropped;
}

}  // namespace roost
