// sys/program_pages (the monitor's drop of its start-up code) and util/file's read_integer_file.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "sys/program_pages.hpp"
#include "util/file.hpp"

namespace {

// The resident bytes of this program's own read-only file mappings.
size_t exe_resident_bytes() {
  size_t total = 0;
  for (const roost::ProgramMapping& m : roost::program_mappings()) total += m.resident_bytes;
  return total;
}

TEST(ProgramPages, DropsTheProgramsCleanPagesAndItRunsOn) {
  const size_t before = exe_resident_bytes();
  ASSERT_GT(before, 0u);
  const size_t dropped = roost::drop_clean_program_pages();
  EXPECT_GT(dropped, 0u);
  // Reading smaps again faults some code back in, never all of it.
  const size_t after = exe_resident_bytes();
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
