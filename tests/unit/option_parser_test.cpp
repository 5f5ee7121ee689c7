// util/option_parser: roost-runtime's command line (getopt_long underneath).
#include "util/option_parser.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <vector>

using roost::OptionParser;
using roost::UsageError;

namespace {

// getopt_long takes char** and may reorder it: the test keeps the strings alive.
struct Argv {
  explicit Argv(std::vector<std::string> words) : words_(std::move(words)) {
    for (auto& w : words_) ptrs_.push_back(w.data());
    ptrs_.push_back(nullptr);
  }
  int argc() const { return static_cast<int>(words_.size()); }
  char** argv() { return ptrs_.data(); }

 private:
  std::vector<std::string> words_;
  std::vector<char*> ptrs_;
};

struct Create {
  std::string bundle, pid_file, id, format = "table";
  bool no_pivot = false, detach = false;
  int fds = 0;
  OptionParser parser{"prog create", "create a thing"};
  Create() {
    parser.text("-b,--bundle", bundle, "bundle");
    parser.text("--pid-file", pid_file, "pid file");
    parser.text("-f,--format", format, "format", {"table", "json"});
    parser.flag("--no-pivot", no_pivot, "no pivot");
    parser.flag("-d,--detach", detach, "detach");
    parser.count("--preserve-fds", fds, "fds");
    parser.argument("id", id, "container id");
  }
  bool parse(std::vector<std::string> words) {
    words.insert(words.begin(), "create");
    Argv a(std::move(words));
    return parser.parse(a.argc(), a.argv());
  }
};

}  // namespace

TEST(OptionParser, TakesEveryFormGetoptLongTakes) {
  Create c;
  ASSERT_TRUE(c.parse({"-bB", "--pid-file=P", "--no-pivot", "--preserve-fds", "3", "-d", "ID"}));
  EXPECT_EQ(c.bundle, "B");
  EXPECT_EQ(c.pid_file, "P");
  EXPECT_TRUE(c.no_pivot);
  EXPECT_TRUE(c.detach);
  EXPECT_EQ(c.fds, 3);
  EXPECT_EQ(c.id, "ID");

  Create after;  // options after the argument (permutation), `-b VALUE` with a space
  ASSERT_TRUE(after.parse({"ID", "-b", "B", "--format", "json"}));
  EXPECT_EQ(after.id, "ID");
  EXPECT_EQ(after.bundle, "B");
  EXPECT_EQ(after.format, "json");
}

TEST(OptionParser, DoubleDashEndsTheOptions) {
  Create c;
  ASSERT_TRUE(c.parse({"--", "--looks-like-an-option"}));
  EXPECT_EQ(c.id, "--looks-like-an-option");
}

TEST(OptionParser, HelpAnywhereFillsNothing) {
  Create c;
  EXPECT_FALSE(c.parse({"-b", "B", "-dh"}));
  EXPECT_FALSE(Create().parse({"--help"}));  // the missing id is not an error then
  EXPECT_FALSE(Create().parse({"-h", "--bogus"}));  // nor is an error beside it, before or after
  EXPECT_FALSE(Create().parse({"--bogus", "-h", "--pid-file"}));  // (after --pid-file, -h would be its value)
  const std::string help = c.parser.help();
  EXPECT_NE(help.find("Usage: prog create [OPTIONS] ID\n"), std::string::npos) << help;
  EXPECT_NE(help.find("--preserve-fds N"), std::string::npos) << help;
  EXPECT_NE(help.find("-b,--bundle BUNDLE"), std::string::npos) << help;
}

TEST(OptionParser, BadInputIsOneClearError) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--force", "ID"}, "unknown option --force"},
      {{"--force=1", "ID"}, "unknown option --force"},
      {{"-x", "ID"}, "unknown option -x"},
      {{"ID", "--bundle"}, "--bundle needs a value"},
      {{"ID", "-b"}, "-b needs a value"},
      {{"--preserve-fds", "-1", "ID"}, "--preserve-fds needs a number 0 or more, not \"-1\""},
      {{"--preserve-fds", "2x", "ID"}, "--preserve-fds needs a number 0 or more, not \"2x\""},
      {{"--preserve-fds=", "ID"}, "--preserve-fds needs a number 0 or more, not \"\""},
      {{"--format", "xml", "ID"}, "--format is one of table, json, not \"xml\""},
      {{}, "ID is missing"},
      {{"ID", "extra"}, "unexpected argument \"extra\""},
      {{"--pid", "P", "ID"}, "unknown option --pid"},  // no abbreviations, as runc and CLI11
      {{"--no-p", "ID"}, "unknown option --no-p"},
      {{"--detach=1", "ID"}, "--detach takes no value"},
      {{"--help=x", "ID"}, "--help takes no value"},
      {{"--bogus", "--format", "xml", "ID"}, "unknown option --bogus"},  // the first error is the one told
  };
  for (const auto& [words, message] : cases) {
    Create c;
    try {
      c.parse(words);
      ADD_FAILURE() << "no error for " << testing::PrintToString(words);
    } catch (const UsageError& e) {
      EXPECT_EQ(e.what(), message) << testing::PrintToString(words);
    }
  }
}

TEST(OptionParser, StopAtFirstArgumentLeavesTheCommandItsOptions) {
  std::string id;
  std::vector<std::string> env, command;
  bool tty = false;
  OptionParser p("prog exec", "exec");
  p.flag("-t,--tty", tty, "tty");
  p.texts("-e,--env", env, "env");
  p.argument("id", id, "id");
  p.rest("command", command, "command");
  p.stop_at_first_argument();
  Argv a({"exec", "-t", "-e", "A=1", "--env=B=2", "ctr", "ls", "-l", "--tty"});
  ASSERT_TRUE(p.parse(a.argc(), a.argv()));
  EXPECT_TRUE(tty);
  EXPECT_EQ(env, (std::vector<std::string>{"A=1", "B=2"}));
  EXPECT_EQ(id, "ctr");
  EXPECT_EQ(command, (std::vector<std::string>{"ls", "-l", "--tty"}));
}

TEST(OptionParser, LeadingOptionsStopAtTheCommand) {
  std::string root, command;
  bool debug = false;
  OptionParser p("prog", "the program");
  p.text("--root", root, "root");
  p.flag("--debug", debug, "debug");
  p.argument("command", command, "");
  Argv a({"prog", "--root", "state", "--debug", "create", "--bundle", "b", "id"});
  const auto leading = p.parse_leading(a.argc(), a.argv());
  EXPECT_FALSE(leading.help);
  EXPECT_EQ(leading.first_argument, 4);
  EXPECT_EQ(root, "state");  // a value that names a command is still the option's value
  EXPECT_TRUE(debug);
  EXPECT_STREQ(a.argv()[leading.first_argument], "create");

  Argv none({"prog", "-h"});
  const auto help = p.parse_leading(none.argc(), none.argv());
  EXPECT_TRUE(help.help);
  EXPECT_EQ(help.first_argument, 2);
}

TEST(OptionParser, OptionsAddedUnlistedWorkButAreNotInTheHelp) {
  std::string root, id;
  OptionParser p("prog state", "state");
  p.set_listed(false);
  p.text("--root", root, "root");
  p.set_listed(true);
  p.argument("id", id, "id");
  Argv a({"state", "id", "--root", "R"});
  ASSERT_TRUE(p.parse(a.argc(), a.argv()));
  EXPECT_EQ(root, "R");
  EXPECT_EQ(p.help().find("--root"), std::string::npos);
}

TEST(OptionParser, ACommandsOwnOptionHidesAnInheritedOneOfTheSameName) {
  std::string global_rootless = "auto";
  bool spec_rootless = false;
  OptionParser p("prog spec", "spec");
  p.set_listed(false);
  p.text("--rootless", global_rootless, "auto, true or false", {"auto", "true", "false"});
  p.set_listed(true);
  p.flag("--rootless", spec_rootless, "a rootless config");
  Argv a({"spec", "--rootless"});
  ASSERT_TRUE(p.parse(a.argc(), a.argv()));
  EXPECT_TRUE(spec_rootless);
  EXPECT_EQ(global_rootless, "auto");
  EXPECT_NE(p.help().find("--rootless "), std::string::npos);
}

// Options after arguments work even where POSIXLY_CORRECT would stop getopt's permutation.
TEST(OptionParser, OptionsAfterArgumentsWhateverPosixlyCorrectSays) {
  Create d;
  ::setenv("POSIXLY_CORRECT", "1", 1);
  bool ok = false;
  try {
    ok = d.parse({"ID", "-d", "--pid-file=P"});
  } catch (const UsageError&) {
  }
  ::unsetenv("POSIXLY_CORRECT");
  EXPECT_TRUE(ok);
  EXPECT_TRUE(d.detach);
  EXPECT_EQ(d.pid_file, "P");
  EXPECT_EQ(d.id, "ID");
}
