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

nlohmann::json parse_json_compacted(const std::string& text) {
  try {
    return nlohmann::json::parse(without_insignificant_whitespace(text));
  } catch (const nlohmann::json::exception&) {
    return nlohmann::json::parse(text);  // throws again, with the original text's positions
  }
}

}  // namespace roost::oci
