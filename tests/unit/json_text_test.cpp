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

using roost::oci::split_out_member;

TEST(JsonTextSplit, CutsOutTheMemberAndLeavesNullInItsPlace) {
  const auto split = split_out_member(
      R"({"a":1,"linux":{"x":[1,{"seccomp":2}],"seccomp":{"s":"}\"]{","n":[1,2]},"y":"z"},"b":{}})", "linux",
      "seccomp");
  ASSERT_TRUE(split);
  EXPECT_EQ(split->value, R"({"s":"}\"]{","n":[1,2]})");
  EXPECT_EQ(split->rest, R"({"a":1,"linux":{"x":[1,{"seccomp":2}],"seccomp":null,"y":"z"},"b":{}})");
  // Scalars and arrays are cut as they stand (parse_seccomp_json refuses what is not an object).
  EXPECT_EQ(split_out_member(R"({"linux":{"seccomp":"text"}})", "linux", "seccomp")->value, "\"text\"");
  EXPECT_EQ(split_out_member(R"({"linux":{"seccomp":[1]}})", "linux", "seccomp")->rest, R"({"linux":{"seccomp":null}})");
  EXPECT_EQ(split_out_member(R"({"linux":{"seccomp":12}})", "linux", "seccomp")->value, "12");
}

TEST(JsonTextSplit, RefusesWhereTheCutCouldChangeTheMeaning) {
  for (const char* text : {
           R"({"linux":{"resources":{}}})",                              // no such member
           R"({"linux":{"seccomp":null}})",                              // null: nothing to cut
           R"({"process":{"seccomp":{}}})",                              // elsewhere than under linux
           R"({"linux":{"seccomp":{}},"linux":{}})",                     // linux twice: the last counts
           R"({"linux":{"seccomp":{},"seccomp":{"a":1}}})",              // seccomp twice
           R"({"l\u0069nux":{"seccomp":{}}})",                           // a key spelt with an escape
           R"({"linux":{"secc\u006fmp":{}},"x":1})",
           R"({"linux":{"x\"":1,"seccomp":{}}})",                        // an escaped quote in a key
           R"({"linux":{"seccomp":{"a":[}})",                            // does not close
           R"({"linux":{"seccomp":{"a":"})",
           R"({"linux":[{"seccomp":{}}]})",                              // linux is not an object
           R"([{"linux":{"seccomp":{}}}])",
           R"({"linux" {"seccomp":{}}})",
           "",
       })
    EXPECT_FALSE(split_out_member(text, "linux", "seccomp")) << text;
}

TEST(JsonTextSplit, TheRestAndTheValueParseToTheWhole) {
  for (bool rootless : {false, true}) {
    const std::string compact = without_insignificant_whitespace(roost::oci::default_spec_json(rootless));
    const auto split = split_out_member(compact, "linux", "seccomp");
    ASSERT_TRUE(split);
    auto whole = nlohmann::json::parse(compact);
    auto rest = nlohmann::json::parse(split->rest);
    EXPECT_TRUE(rest["linux"]["seccomp"].is_null());
    rest["linux"]["seccomp"] = nlohmann::json::parse(split->value);
    EXPECT_EQ(rest, whole);
    EXPECT_GT(split->value.size(), compact.size() / 2);  // the profile is most of the config
  }
}
