// A command line read with glibc's getopt_long, declared as CLI11 declares one: each option is
// bound to the variable it fills. roost-runtime uses it instead of CLI11 because the runtime starts
// once per container and its resident set is its mapped code: CLI11's formatting and conversions
// pull in iostreams and every std::locale facet (≈ 0.45 MB of text in a static binary, nearly all
// of it resident on this kernel), and building the option tree cost more instructions than
// parsing the container's config. roost and roost ns, long-lived or interactive, keep CLI11.
//
// What it accepts is getopt_long's: `-b DIR`, `-bDIR`, bundled flags (`-dh`), `--bundle DIR`,
// `--bundle=DIR`, `--` to end the options, and options after the arguments unless
// stop_at_first_argument() is set (exec: what follows the container id is the command, its
// options included). Not getopt_long's abbreviations (`--pid` for `--pid-file`): a long option is
// its whole name, as in runc and CLI11. `-h`/`--help` anywhere is help, even beside an error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace roost {

// Bad input on the command line; what() is the one-line reason.
class UsageError : public Error {
 public:
  using Error::Error;
};

class OptionParser {
 public:
  // `usage` begins the help's Usage line ("roost-runtime create"), `summary` is its first line.
  OptionParser(std::string usage, std::string summary);

  // `names` is "-b,--bundle", "--pid-file" or "-v,--version".
  void flag(const char* names, bool& target, const char* help);
  void text(const char* names, std::string& target, const char* help,
            std::vector<std::string_view> allowed = {});
  void count(const char* names, int& target, const char* help);  // a number >= 0
  void texts(const char* names, std::vector<std::string>& target, const char* help);  // repeatable
  // Arguments are filled in order; a required one missing is an error, one too many is too.
  void argument(const char* name, std::string& target, const char* help, bool required = true);
  // Every argument after the declared ones.
  void rest(const char* name, std::vector<std::string>& target, const char* help);
  void stop_at_first_argument() { stop_at_first_argument_ = true; }
  // Options added while this is false work but are not listed by help() (global options that a
  // command also takes). An option added later with the same name replaces the earlier one.
  void set_listed(bool listed) { listed_ = listed; }
  // Lines after the options in help() (the main command's list of commands).
  void set_epilogue(std::string text) { epilogue_ = std::move(text); }

  // Reads argv[1..argc) (argv[0] names the command and is not read). Returns false when -h or
  // --help was given: nothing is filled then, print help(). Throws UsageError. getopt_long may
  // reorder argv.
  bool parse(int argc, char** argv);
  // Only the options before the first argument: the main command's, before the command's name.
  struct Leading {
    int first_argument;  // its index in argv, argc if there is none
    bool help;           // -h or --help was among them
  };
  Leading parse_leading(int argc, char** argv);

  std::string help() const;

 private:
  enum class Kind { Flag, Text, Count, Texts };
  struct Option {
    char short_name = 0;
    std::string long_name;
    Kind kind;
    void* target;
    const char* help;
    std::vector<std::string_view> allowed;
    bool listed;
  };
  struct Argument {
    const char* name;
    std::string* one;                 // or
    std::vector<std::string>* rest;
    const char* help;
    bool required;
  };

  void add(const char* names, Kind kind, void* target, const char* help, std::vector<std::string_view> allowed);
  // Runs getopt_long over argv; returns false on -h/--help. `leading`: stop at the first argument.
  bool read_options(int argc, char** argv, bool leading);
  void set(const Option& option, const char* value) const;
  std::string display_name(const Option& option) const;

  std::string usage_, summary_, epilogue_;
  std::vector<const char*> positionals_;  // the last scan's arguments, in order
  std::vector<Option> options_;
  std::vector<Argument> arguments_;
  bool stop_at_first_argument_ = false;
  bool listed_ = true;
};

}  // namespace roost
