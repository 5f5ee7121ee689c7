// util/xattrs: every extended attribute of a file read at once, binary values intact.
#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "util/error.hpp"
#include "util/unique_fd.hpp"
#include "util/xattrs.hpp"

namespace {

struct TempFile {
  std::string path = "/tmp/roost-xattrs-XXXXXX";
  roost::UniqueFd fd;
  TempFile() { fd.reset(::mkstemp(path.data())); }
  ~TempFile() { ::unlink(path.c_str()); }
};

TEST(Xattrs, AFileWithNoneHasNone) {
  TempFile f;
  ASSERT_TRUE(f.fd);
  EXPECT_TRUE(roost::read_xattrs(f.fd.get()).empty());
}

TEST(Xattrs, NamesAndBinaryValuesComeBackAsSet) {
  TempFile f;
  ASSERT_TRUE(f.fd);
  const std::string binary("a\0b\xff", 4);
  const std::string large(2000, 'x');  // ext4 holds up to a block per inode
  if (::fsetxattr(f.fd.get(), "user.roost.one", binary.data(), binary.size(), 0) != 0)
    GTEST_SKIP() << "/tmp takes no user xattrs here";
  ASSERT_EQ(::fsetxattr(f.fd.get(), "user.roost.two", large.data(), large.size(), 0), 0);
  ASSERT_EQ(::fsetxattr(f.fd.get(), "user.roost.empty", "", 0, 0), 0);
  const roost::Xattrs got = roost::read_xattrs(f.fd.get());
  std::map<std::string, std::string> by_name(got.begin(), got.end());
  EXPECT_EQ(by_name.size(), got.size());
  EXPECT_EQ(by_name["user.roost.one"], binary);
  EXPECT_EQ(by_name["user.roost.two"], large);
  ASSERT_TRUE(by_name.count("user.roost.empty"));
  EXPECT_EQ(by_name["user.roost.empty"], "");
}

TEST(Xattrs, AnFdThatIsNotAFileIsAnError) {
  EXPECT_THROW(roost::read_xattrs(-1), roost::Error);
}

}  // namespace
