#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "oci/default_spec.hpp"
#include "oci/json_text.hpp"

using roost::oci::parse_json_compacted;
using roost::oci::without_insignificant_whitespace;

TEST(JsonText, TakesOutWhitespaceBetweenTokens) {
  EXPECT_EQ(without_insignificant_whitespace(" {\n  \"a\" : [ 1 ,\t2 ],\r\n \"b\": true }\n"),
            R"({"a":[1,2],"b":true})");
  EXPECT_EQ(without_insignificant_whitespace(""), "");
  EXPECT_EQ(without_insignificant_whitespace(" \n\t "), "");
}

TEST(JsonText, KeepsStringsAsTheyAre) {
  EXPECT_EQ(without_insignificant_whitespace(R"({ "a b" : " x\" y \\" , "c":"\\" })"),
            R"({"a b":" x\" y \\","c":"\\"})");
  // Three backslashes before a quote: one escaped backslash, then an escaped quote.
  EXPECT_EQ(without_insignificant_whitespace(R"([ "a\\\" b" , "\\" , 1 ])"), R"(["a\\\" b","\\",1])");
  // An unterminated string (and a trailing backslash) is copied to the end, still invalid.
  EXPECT_EQ(without_insignificant_whitespace("[\"a  b\\"), "[\"a  b\\");
}

TEST(JsonText, KeepsTokensApart) {
  // Two numbers or literals side by side stay two tokens, so invalid text stays invalid.
  EXPECT_EQ(without_insignificant_whitespace("[1 \n 2]"), "[1 2]");
  EXPECT_EQ(without_insignificant_whitespace("[- 1, true  false]"), "[- 1,true false]");
  for (const char* bad : {"[1 2]", "[- 1]", "[true false]", "[1 .5]", "{\"a\" \"b\"}", "", " "})
    EXPECT_FALSE(nlohmann::json::accept(without_insignificant_whitespace(bad))) << bad;
}

TEST(JsonText, ParsesToTheSameValue) {
  for (bool rootless : {false, true}) {
    const std::string text = roost::oci::default_spec_json(rootless);
    EXPECT_EQ(parse_json_compacted(text), nlohmann::json::parse(text));
    EXPECT_LT(without_insignificant_whitespace(text).size(), text.size() * 3 / 4);
  }
}

TEST(JsonText, ErrorsNameThePlaceInTheOriginalText) {
  const std::string text = "{\n  \"a\": 1,\n  \"b\": [1 2]\n}\n";
  std::string expected;
  try {
    const auto parsed = nlohmann::json::parse(text);
    (void)parsed;
  } catch (const nlohmann::json::exception& e) {
    expected = e.what();
  }
  ASSERT_NE(expected.find("line 3"), std::string::npos) << expected;
  try {
    (void)parse_json_compacted(text);
    FAIL() << "parsed";
  } catch (const nlohmann::json::exception& e) {
    EXPECT_EQ(e.what(), expected);
  }
  // A number beyond a double is an out_of_range, in either text.
  EXPECT_THROW((void)parse_json_compacted("[ 1e9999 ]"), nlohmann::json::out_of_range);
}
