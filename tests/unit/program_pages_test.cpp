// sys/program_pages (the monitor's drop of its start-up code) and util/file's read_integer_file.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "sys/program_pages.hpp"
#include "util/file.hpp"

namespace {

// The resident kB of this program's own read-only file mappings.
long exe_resident_kb() {
  char exe[4096];
  const ssize_t len = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) return -1;
  const std::string self(exe, static_cast<size_t>(len));
  long total = 0;
  bool mine = false;
  for (const std::string& line : roost::split(roost::read_file("/proc/self/smaps"), '\n')) {
    if (!line.empty() && line[0] >= '0' && line[0] <= 'f' && line.find(' ') != std::string::npos &&
        line.find('-') < line.find(' ')) {
      const std::string perms = line.substr(line.find(' ') + 1, 4);
      mine = line.size() > self.size() && line.compare(line.size() - self.size(), self.size(), self) == 0 &&
             perms[1] != 'w';
    } else if (mine && roost::starts_with(line, "Rss:")) {
      total += std::atol(line.c_str() + 4);
    }
  }
  return total;
}

TEST(ProgramPages, DropsTheProgramsCleanPagesAndItRunsOn) {
  const long before = exe_resident_kb();
  ASSERT_GT(before, 0);
  const size_t dropped = roost::drop_clean_program_pages();
  EXPECT_GT(dropped, 0u);
  // Reading smaps again faults some code back in, never all of it.
  const long after = exe_resident_kb();
  EXPECT_LT(after, before);
  // The code and constants come back from the file on the next touch, relocations intact.
  EXPECT_EQ(roost::split("a,b", ',').size(), 2u);
}

TEST(ReadIntegerFile, ReadsOneNumberAndRefusesTheRest) {
  char dir[] = "/tmp/roost-int-file.XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/value";
  roost::write_file(path, "1048576\n", O_CREAT | O_TRUNC);
  EXPECT_EQ(roost::read_integer_file(path), 1048576);
  roost::write_file(path, "-1", O_CREAT | O_TRUNC);
  EXPECT_EQ(roost::read_integer_file(path), -1);
  roost::write_file(path, "12 34\n", O_CREAT | O_TRUNC);
  EXPECT_EQ(roost::read_integer_file(path), std::nullopt);
  roost::write_file(path, "x\n", O_CREAT | O_TRUNC);
  EXPECT_EQ(roost::read_integer_file(path), std::nullopt);
  roost::write_file(path, "", O_CREAT | O_TRUNC);
  EXPECT_EQ(roost::read_integer_file(path), std::nullopt);
  EXPECT_EQ(roost::read_integer_file(std::string(dir) + "/missing"), std::nullopt);
  roost::remove_tree(dir);
}

}  // namespace
