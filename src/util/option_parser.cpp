#include "util/option_parser.hpp"

#include <getopt.h>

#include <charconv>
#include <cstring>
#include <optional>

namespace roost {
namespace {

// getopt_long's value for the long option at index i: above every short option's character.
constexpr int kLongBase = 256;
constexpr int kHelp = kLongBase - 1;  // --help, just below them

std::string joined(const std::vector<std::string_view>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + std::string(w);
  return out;
}

std::string upper(std::string_view name) {
  std::string out(name);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

}  // namespace

OptionParser::OptionParser(std::string usage, std::string summary)
    : usage_(std::move(usage)), summary_(std::move(summary)) {}

void OptionParser::add(const char* names, Kind kind, void* target, const char* help,
                       std::vector<std::string_view> allowed) {
  Option option{0, {}, kind, target, help, std::move(allowed), listed_};
  std::string_view rest = names;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view name = rest.substr(0, comma);
    if (name.starts_with("--"))
      option.long_name = name.substr(2);
    else if (name.size() == 2 && name[0] == '-')
      option.short_name = name[1];
    else
      throw Error("option_parser: bad option name \"" + std::string(name) + "\"");
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  // A command's own option hides an inherited global one of the same name (spec's --rootless flag
  // and the global --rootless VALUE), as a CLI11 subcommand's does.
  std::erase_if(options_, [&](const Option& o) {
    return (!option.long_name.empty() && o.long_name == option.long_name) ||
           (option.short_name && o.short_name == option.short_name);
  });
  options_.push_back(std::move(option));
}

void OptionParser::flag(const char* names, bool& target, const char* help) {
  add(names, Kind::Flag, &target, help, {});
}
void OptionParser::text(const char* names, std::string& target, const char* help,
                        std::vector<std::string_view> allowed) {
  add(names, Kind::Text, &target, help, std::move(allowed));
}
void OptionParser::count(const char* names, int& target, const char* help) {
  add(names, Kind::Count, &target, help, {});
}
void OptionParser::texts(const char* names, std::vector<std::string>& target, const char* help) {
  add(names, Kind::Texts, &target, help, {});
}
void OptionParser::argument(const char* name, std::string& target, const char* help, bool required) {
  arguments_.push_back({name, &target, nullptr, help, required});
}
void OptionParser::rest(const char* name, std::vector<std::string>& target, const char* help) {
  arguments_.push_back({name, nullptr, &target, help, false});
}

std::string OptionParser::display_name(const Option& option) const {
  return option.long_name.empty() ? std::string("-") + option.short_name : "--" + option.long_name;
}

void OptionParser::set(const Option& option, const char* value) const {
  switch (option.kind) {
    case Kind::Flag:
      *static_cast<bool*>(option.target) = true;
      return;
    case Kind::Text:
      if (!option.allowed.empty()) {
        bool known = false;
        for (const auto& a : option.allowed) known |= a == value;
        if (!known)
          throw UsageError(display_name(option) + " is one of " + joined(option.allowed) + ", not \"" + value + "\"");
      }
      *static_cast<std::string*>(option.target) = value;
      return;
    case Kind::Count: {
      int n = -1;
      const char* end = value + std::strlen(value);
      const auto r = std::from_chars(value, end, n);
      if (r.ec != std::errc() || r.ptr != end || n < 0 || *value == '\0')
        throw UsageError(display_name(option) + " needs a number 0 or more, not \"" + value + "\"");
      *static_cast<int*>(option.target) = n;
      return;
    }
    case Kind::Texts:
      static_cast<std::vector<std::string>*>(option.target)->emplace_back(value);
      return;
  }
}

bool OptionParser::read_options(int argc, char** argv, bool leading) {
  // "+": stop at the first argument. "-": every argument comes back in order as option 1, so that
  // options after arguments work whatever POSIXLY_CORRECT says (getopt's default permutation
  // obeys it). ":": a missing value is reported as ':' rather than '?'.
  const bool stop_at_argument = leading || stop_at_first_argument_;
  std::string shorts = stop_at_argument ? "+:h" : "-:h";
  std::vector<option> longs;
  longs.reserve(options_.size() + 2);
  for (size_t i = 0; i < options_.size(); ++i) {
    const Option& o = options_[i];
    const int has_arg = o.kind == Kind::Flag ? no_argument : required_argument;
    if (o.short_name) {
      shorts += o.short_name;
      if (has_arg == required_argument) shorts += ':';
    }
    if (!o.long_name.empty())
      longs.push_back({o.long_name.c_str(), has_arg, nullptr, kLongBase + static_cast<int>(i)});
  }
  longs.push_back({"help", no_argument, nullptr, kHelp});
  longs.push_back({nullptr, 0, nullptr, 0});

  // The first error is kept and thrown after the scan, so that -h anywhere still means help.
  std::optional<std::string> error;
  auto fail = [&](std::string message) {
    if (!error) error = std::move(message);
  };
  auto name_of = [&](int value) {
    return value == kHelp ? std::string("--help") : display_name(options_[static_cast<size_t>(value - kLongBase)]);
  };
  bool help = false;
  positionals_.clear();
  optind = 0;  // glibc: start again from argv[1], forgetting any earlier scan
  opterr = 0;  // the errors are thrown below, in roost's words
  for (;;) {
    const int c = getopt_long(argc, argv, shorts.c_str(), longs.data(), nullptr);
    if (c == -1) break;
    if (c == 1) {
      positionals_.push_back(optarg);
      continue;
    }
    if (c == '?' || c == ':') {
      // optopt: the short option's character, a long option's value (a flag given a value, or a
      // value missing), 0 for an unknown or ambiguous long option.
      if (optopt >= kHelp)
        fail(c == ':' ? name_of(optopt) + " needs a value" : name_of(optopt) + " takes no value");
      else if (optopt > 0)
        fail(c == ':' ? std::string("-") + static_cast<char>(optopt) + " needs a value"
                      : "unknown option -" + std::string(1, static_cast<char>(optopt)));
      else
        fail("unknown option " + std::string(argv[optind - 1]).substr(0, std::string(argv[optind - 1]).find('=')));
      continue;
    }
    if (c >= kHelp) {
      // getopt_long takes any unambiguous prefix (--pid for --pid-file); runc and CLI11 do not,
      // and a foreign option that happens to be a prefix must not pass for one of roost's.
      const bool separate_value = optarg && optind >= 2 && optarg == argv[optind - 1];
      const std::string given = argv[optind - (separate_value ? 2 : 1)];
      const std::string as_given = given.substr(0, given.find('='));
      if (as_given.starts_with("--") && as_given != name_of(c)) {
        fail("unknown option " + as_given);
        continue;
      }
    }
    if (c == 'h' || c == kHelp) {
      help = true;
      continue;
    }
    try {
      if (c >= kLongBase) {
        set(options_[static_cast<size_t>(c - kLongBase)], optarg);
      } else {
        for (const Option& o : options_)
          if (o.short_name == c) set(o, optarg);
      }
    } catch (const UsageError& e) {
      fail(e.what());
    }
  }
  for (int i = optind; i < argc; ++i) positionals_.push_back(argv[i]);
  if (help) return false;
  if (error) throw UsageError(*error);
  return true;
}

OptionParser::Leading OptionParser::parse_leading(int argc, char** argv) {
  const bool help = !read_options(argc, argv, true);
  return {argc - static_cast<int>(positionals_.size()), help};
}

bool OptionParser::parse(int argc, char** argv) {
  if (!read_options(argc, argv, false)) return false;
  size_t next = 0;
  for (const char* value : positionals_) {
    if (next == arguments_.size()) throw UsageError("unexpected argument \"" + std::string(value) + "\"");
    Argument& a = arguments_[next];
    if (a.rest) {
      a.rest->emplace_back(value);
    } else {
      *a.one = value;
      ++next;
    }
  }
  for (; next < arguments_.size(); ++next)
    if (arguments_[next].required) throw UsageError(upper(arguments_[next].name) + " is missing");
  return true;
}

std::string OptionParser::help() const {
  std::string out = summary_ + "\nUsage: " + usage_ + " [OPTIONS]";
  for (const Argument& a : arguments_)
    out += " " + std::string(a.required ? "" : "[") + upper(a.name) + (a.rest ? "..." : "") + (a.required ? "" : "]");
  out += "\n";

  std::vector<std::pair<std::string, const char*>> rows;
  for (const Argument& a : arguments_)
    if (a.help && *a.help) rows.emplace_back(upper(a.name), a.help);
  const size_t argument_rows = rows.size();
  rows.emplace_back("-h,--help", "print this help and exit");
  for (const Option& o : options_) {
    if (!o.listed) continue;
    std::string names;
    if (o.short_name) names = std::string("-") + o.short_name;
    if (!o.long_name.empty()) names += (names.empty() ? "--" : ",--") + o.long_name;
    if (o.kind != Kind::Flag) names += o.kind == Kind::Count ? " N" : " " + upper(o.long_name.empty() ? "value" : o.long_name);
    rows.emplace_back(std::move(names), o.help);
  }
  size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.first.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i == 0 && argument_rows) out += "\nArguments:\n";
    if (i == argument_rows) out += "\nOptions:\n";
    out += "  " + rows[i].first + std::string(width + 2 - rows[i].first.size(), ' ') + rows[i].second + "\n";
  }
  if (!epilogue_.empty()) out += "\n" + epilogue_;
  return out;
}

}  // namespace roost
