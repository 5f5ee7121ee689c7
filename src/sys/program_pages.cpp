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

size_t drop_clean_program_pages() {
  char exe[4096];
  const ssize_t len = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) return 0;
  const std::string_view self(exe, static_cast<size_t>(len));
  std::string smaps;
  try {
    smaps = read_file("/proc/self/smaps");
  } catch (const Error&) {
    return 0;
  }
  // Each entry: "lo-hi perms offset dev inode path" and then "Name: value" lines, Rss before
  // Anonymous.
  size_t dropped = 0, rss = 0;
  uintptr_t lo = 0, hi = 0;
  bool candidate = false;
  std::string_view rest(smaps);
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (line.starts_with("Rss:")) {
      rss = kb_field(line, "Rss:");
    } else if (line.starts_with("Anonymous:")) {
      if (candidate && kb_field(line, "Anonymous:") == 0 && rss > 0 &&
          ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED) == 0)
        dropped += rss;
      candidate = false;
    } else if (!line.empty() && ((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f'))) {
      // A mapping's first line: the other lines start with a capitalised "Name:".
      const char* p = line.data();
      const char* end = p + line.size();
      auto a = std::from_chars(p, end, lo, 16);
      if (a.ec != std::errc() || a.ptr == end || *a.ptr != '-') {
        candidate = false;
        continue;
      }
      auto b = std::from_chars(a.ptr + 1, end, hi, 16);
      const std::string_view perms = b.ec == std::errc() ? line.substr(static_cast<size_t>(b.ptr - p) + 1, 4) : "";
      candidate = perms.size() == 4 && perms[0] == 'r' && perms[1] != 'w' && line.ends_with(self) &&
                  line[line.size() - self.size() - 1] == ' ';
      rss = 0;
    }
  }
  return dropped;
}

}  // namespace roost
