#include "image/digest.hpp"

#include <gtest/gtest.h>

#include "util/error.hpp"

using roost::image::Digest;

TEST(Digest, ParsesAndRefuses) {
  const std::string empty = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  EXPECT_EQ(Digest::parse(empty).str(), empty);
  EXPECT_THROW(Digest::parse("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"), roost::Error);
  EXPECT_THROW(Digest::parse("sha256:abc"), roost::Error);
  EXPECT_THROW(Digest::parse("md5:d41d8cd98f00b204e9800998ecf8427e"), roost::Error);
  EXPECT_THROW(Digest::parse("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), roost::Error);
}

TEST(Digest, Sha256StreamsAndMatchesOneShot) {
  EXPECT_EQ(roost::image::sha256_of("").hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  roost::image::Sha256 h;
  h.update("ab", 2);
  EXPECT_EQ(h.digest(), roost::image::sha256_of("ab"));  // digest() does not end the hash
  h.update("c", 1);
  EXPECT_EQ(h.digest().hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, ChainIdsFollowConfigMd) {
  Digest a = roost::image::sha256_of("a"), b = roost::image::sha256_of("b");
  auto ids = roost::image::chain_ids({a, b});
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], a);
  EXPECT_EQ(ids[1], roost::image::sha256_of(a.str() + " " + b.str()));
}
