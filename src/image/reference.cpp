// Docker's reference grammar (distribution/reference, as containers/image forks it), checked by
// hand rather than with std::regex: every part is a few character classes, and a hand check
// gives the same answers without the regex engine's recursion on long input.
//
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [ domain "/" ] path-component [ "/" path-component ]*
//   domain     := host [ ":" port ]          host := domain-name | "[" ipv6 "]"
//   domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//   path-component   := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag        := [\w][\w.-]{0,127}
//   digest     := algorithm ":" [0-9a-fA-F]{32,}   algorithm := [A-Za-z][A-Za-z0-9]* ([+._-] ...)*
#include "image/reference.hpp"

#include <algorithm>

#include "util/error.hpp"

namespace roost::image {

namespace {

constexpr const char* kDefaultDomain = "docker.io";
constexpr const char* kLegacyDefaultDomain = "index.docker.io";
constexpr const char* kOfficialPrefix = "library/";
constexpr size_t kNameTotalLengthMax = 255;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }
bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool path_component_ok(std::string_view s) {
  if (s.empty() || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  size_t i = 0;
  while (i < s.size()) {
    if (is_lower_alnum(s[i])) {
      ++i;
      continue;
    }
    // A run of separators between two alphanumerics: ".", "_", "__" or any number of "-".
    size_t j = i;
    while (j < s.size() && !is_lower_alnum(s[j])) ++j;
    std::string_view sep = s.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" || sep.find_first_not_of('-') == std::string_view::npos;
    if (!ok) return false;
    i = j;
  }
  return true;
}

bool path_ok(std::string_view s) {
  while (true) {
    size_t slash = s.find('/');
    if (!path_component_ok(s.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    s.remove_prefix(slash + 1);
  }
}

bool domain_component_ok(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

bool domain_ok(std::string_view s) {
  std::string_view host = s;
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    std::string_view addr = s.substr(1, close - 1);
    if (!std::all_of(addr.begin(), addr.end(), [](char c) { return is_hex(c) || c == ':'; })) return false;
    host = {};
    s.remove_prefix(close + 1);
  } else {
    size_t colon = s.find(':');
    host = s.substr(0, colon);
    s = colon == std::string_view::npos ? std::string_view{} : s.substr(colon);
    while (true) {
      size_t dot = host.find('.');
      if (!domain_component_ok(host.substr(0, dot))) return false;
      if (dot == std::string_view::npos) break;
      host.remove_prefix(dot + 1);
    }
  }
  if (s.empty()) return true;
  if (s.front() != ':' || s.size() == 1) return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool tag_ok(std::string_view s) {
  if (s.empty() || s.size() > 128 || !is_word(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_word(c) || c == '.' || c == '-'; });
}

// The grammar's digest (any algorithm name, 32+ hex digits of either case); whether roost
// supports it is Digest::parse's question, asked afterwards.
bool digest_grammar_ok(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view alg = s.substr(0, colon), hex = s.substr(colon + 1);
  if (hex.size() < 32 || !std::all_of(hex.begin(), hex.end(), is_hex)) return false;
  bool component_start = true;
  for (char c : alg) {
    if (component_start) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
      component_start = false;
    } else if (c == '+' || c == '.' || c == '_' || c == '-') {
      component_start = true;
    } else if (!is_alnum(c)) {
      return false;
    }
  }
  return !component_start;
}

struct Parts {
  std::string_view path, tag, digest;
  bool has_tag = false, has_digest = false;
};

// Splits REMAINDER (what follows the domain) into path, tag and digest and checks each.
bool split_remainder(std::string_view rest, Parts& out) {
  size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    out.digest = rest.substr(at + 1);
    out.has_digest = true;
    rest = rest.substr(0, at);
    if (!digest_grammar_ok(out.digest)) return false;
  }
  size_t colon = rest.find(':');
  if (colon != std::string_view::npos) {
    out.tag = rest.substr(colon + 1);
    out.has_tag = true;
    rest = rest.substr(0, colon);
    if (!tag_ok(out.tag)) return false;
  }
  out.path = rest;
  return path_ok(rest);
}

[[noreturn]] void invalid(const std::string& detail = {}) {
  throw Error(detail.empty() ? "invalid reference format" : "invalid reference format: " + detail);
}

}  // namespace

Reference parse_reference(std::string_view text) {
  // A bare image ID is not a name (Docker refuses it the same way).
  if (text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) { return is_hex(c) && !(c >= 'A' && c <= 'F'); }))
    throw Error("invalid repository name (" + std::string(text) + "), cannot specify 64-byte hexadecimal strings");

  // The domain is the first component when it looks like a host ('.' or ':') or is "localhost";
  // otherwise the name is Docker Hub's.
  Reference ref;
  std::string remainder;
  size_t slash = text.find('/');
  std::string_view first = slash == std::string_view::npos ? std::string_view{} : text.substr(0, slash);
  if (slash != std::string_view::npos && (first.find_first_of(".:") != std::string_view::npos || first == "localhost")) {
    ref.domain = std::string(first);
    remainder = std::string(text.substr(slash + 1));
    ref.domain_given = true;
  } else {
    ref.domain = kDefaultDomain;
    remainder = std::string(text);
  }
  if (ref.domain == kLegacyDefaultDomain) ref.domain = kDefaultDomain;
  if (ref.domain == kDefaultDomain && remainder.find('/') == std::string::npos) remainder = kOfficialPrefix + remainder;

  // The repository part (up to the first ':') must be lower case; Docker says so by name.
  std::string_view remote = std::string_view(remainder).substr(0, remainder.find(':'));
  if (lower(remote) != remote) invalid("repository name must be lowercase");

  Parts parts;
  if (!domain_ok(ref.domain) || !split_remainder(remainder, parts)) {
    Parts lowered;
    std::string lower_rest = lower(remainder);
    if (domain_ok(lower(ref.domain)) && split_remainder(lower_rest, lowered)) invalid("repository name must be lowercase");
    invalid();
  }
  ref.path = std::string(parts.path);
  if (ref.name().size() > kNameTotalLengthMax)
    invalid("repository name must not be more than " + std::to_string(kNameTotalLengthMax) + " characters");
  if (parts.has_tag) ref.tag = std::string(parts.tag);
  if (parts.has_digest) ref.digest = Digest::parse(parts.digest);
  if (!parts.has_tag && !parts.has_digest) ref.tag = "latest";
  return ref;
}

std::string Reference::str() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (digest) out += "@" + digest->str();
  return out;
}

std::string Reference::api_host() const {
  return domain == kDefaultDomain ? std::string("registry-1.docker.io") : domain;
}

std::string Reference::familiar() const {
  std::string out;
  if (domain == kDefaultDomain) {
    std::string_view p = path;
    if (p.starts_with(kOfficialPrefix) && p.find('/', 8) == std::string_view::npos) p.remove_prefix(8);
    out = std::string(p);
  } else {
    out = name();
  }
  if (!tag.empty()) out += ":" + tag;
  if (digest) out += "@" + digest->str();
  return out;
}

}  // namespace roost::image
