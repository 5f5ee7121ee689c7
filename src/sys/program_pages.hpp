// The resident pages of the running program's own file: a long-lived process (the monitor) can let
// go of the code and read-only data it used to start once it has settled into its loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace roost {

// One read-only mapping of /proc/self/exe, as /proc/self/smaps describes it.
struct ProgramMapping {
  uintptr_t start = 0, end = 0;
  size_t resident_bytes = 0;
  size_t anonymous_bytes = 0;  // private (copy-on-write) pages: relocated data
};

// The program's read-only mappings; empty when /proc cannot be read.
std::vector<ProgramMapping> program_mappings();

// madvise(MADV_DONTNEED) over every read-only mapping of /proc/self/exe that holds no private
// (copy-on-write) page: the kernel drops their page-table entries, the pages stay in the page
// cache (shared with every other process running the file) and come back on the next touch.
// Mappings with private pages (relocated data) are left alone: dropping those would lose the
// relocation. Returns the resident bytes that were dropped; 0 when nothing could be read.
size_t drop_clean_program_pages();

}  // namespace roost
