#include "oci/json_text.hpp"

#include <cstddef>
#include <cstring>

namespace roost::oci {
namespace {

bool is_json_whitespace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Characters a whitespace run may separate without meaning anything: the structural characters
// and the quotes that delimit strings are tokens of their own (or their ends), whatever touches them.
bool ends_a_token(char c) {
  return c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':' || c == '"';
}

// Just past the quote that closes the string whose text starts at p, or end if none does. memchr
// finds each quote (most of a config's characters are in strings); one preceded by an odd number
// of backslashes is escaped and the search goes on.
const char* string_end(const char* p, const char* const end) {
  for (;;) {
    const void* found = std::memchr(p, '"', static_cast<size_t>(end - p));
    if (!found) return end;
    const char* q = static_cast<const char*>(found);
    size_t backslashes = 0;
    while (q - backslashes > p && q[-1 - static_cast<ptrdiff_t>(backslashes)] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return q + 1;
    p = q + 1;
  }
}

}  // namespace

std::string without_insignificant_whitespace(std::string_view text) {
  // Written through a raw pointer into a buffer of the input's size (the output is never longer):
  // a push_back per character cost more than the whitespace it saves the parser (-Os does not
  // inline it).
  std::string out(text.size(), '\0');
  char* o = out.data();
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const char c = *p;
    if (c == '"') {
      // Copy the string through its closing quote, escapes included (an escaped quote does not
      // end it). An unterminated string runs to the end, still invalid for the parser.
      const char* q = string_end(p + 1, end);
      std::memcpy(o, p, static_cast<size_t>(q - p));
      o += q - p;
      p = q;
    } else if (is_json_whitespace(c)) {
      const char* q = p + 1;
      while (q < end && is_json_whitespace(*q)) ++q;
      if (o != out.data() && q < end && !ends_a_token(o[-1]) && !ends_a_token(*q)) *o++ = ' ';
      p = q;
    } else {
      *o++ = c;
      ++p;
    }
  }
  out.resize(static_cast<size_t>(o - out.data()));
  return out;
}

namespace {

constexpr size_t kNone = std::string_view::npos;

// Just past the quote closing the string that opens at t[i], or kNone. A quote after an odd
// number of backslashes is escaped.
size_t past_string(std::string_view t, size_t i) {
  for (size_t from = i + 1;;) {
    const size_t q = t.find('"', from);
    if (q == kNone) return kNone;
    size_t backslashes = 0;
    while (q - backslashes > i + 1 && t[q - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return q + 1;
    from = q + 1;
  }
}

// Just past the value that starts at t[i] (compacted text), or kNone if it does not close. Only the
// structure is checked; the parser judges the tokens.
size_t past_value(std::string_view t, size_t i) {
  if (i >= t.size()) return kNone;
  if (t[i] == '"') return past_string(t, i);
  if (t[i] != '{' && t[i] != '[') {
    const size_t e = t.find_first_of(",}]", i);
    return e == kNone ? t.size() : e;
  }
  int depth = 0;
  for (size_t j = i; j < t.size();) {
    const char c = t[j];
    if (c == '"') {
      j = past_string(t, j);
      if (j == kNone) return kNone;
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if ((c == '}' || c == ']') && --depth == 0) return j + 1;
    ++j;
  }
  return kNone;
}

// The object at t[i]: calls found(key, value_begin, value_end) for each member, whose key has no
// escape. False if it is not an object, does not close, or a key has an escape.
template <class Found>
bool walk_object(std::string_view t, size_t i, Found found) {
  if (i >= t.size() || t[i] != '{') return false;
  size_t j = i + 1;
  if (j < t.size() && t[j] == '}') return true;
  for (;;) {
    if (j >= t.size() || t[j] != '"') return false;
    const size_t key_end = past_string(t, j);
    if (key_end == kNone || key_end >= t.size() || t[key_end] != ':') return false;
    const std::string_view key = t.substr(j + 1, key_end - j - 2);
    if (key.find('\\') != kNone) return false;
    const size_t value_end = past_value(t, key_end + 1);
    if (value_end == kNone || !found(key, key_end + 1, value_end)) return false;
    j = value_end;
    if (j < t.size() && t[j] == ',') {
      ++j;
      continue;
    }
    return j < t.size() && t[j] == '}';
  }
}

}  // namespace

std::optional<SplitDocument> split_out_member(std::string_view t, std::string_view outer, std::string_view inner) {
  size_t outer_at = kNone, begin = kNone, end = kNone;
  const bool root_ok = walk_object(t, 0, [&](std::string_view key, size_t b, size_t) {
    if (key != outer) return true;
    if (outer_at != kNone) return false;  // twice: the parser keeps the last
    outer_at = b;
    return true;
  });
  if (!root_ok || outer_at == kNone) return std::nullopt;
  const bool outer_ok = walk_object(t, outer_at, [&](std::string_view key, size_t b, size_t e) {
    if (key != inner) return true;
    if (begin != kNone) return false;
    begin = b;
    end = e;
    return true;
  });
  if (!outer_ok || begin == kNone || t.substr(begin, end - begin) == "null") return std::nullopt;
  SplitDocument split;
  split.rest.reserve(t.size() - (end - begin) + 4);
  split.rest.append(t.substr(0, begin)).append("null").append(t.substr(end));
  split.value.assign(t.substr(begin, end - begin));
  return split;
}

nlohmann::json parse_json_compacted(const std::string& text) {
  try {
    return nlohmann::json::parse(without_insignificant_whitespace(text));
  } catch (const nlohmann::json::exception&) {
    return nlohmann::json::parse(text);  // throws again, with the original text's positions
  }
}

}  // namespace roost::oci
