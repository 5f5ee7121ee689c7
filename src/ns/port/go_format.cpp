#include "ns/port/go_format.hpp"

#include <cctype>
#include <climits>
#include <cstring>
#include <cwctype>
#include <locale.h>
#include <wctype.h>

namespace roost::ns::go {
namespace {

const char* kHex = "0123456789abcdef";

// The length of the UTF-8 sequence at s[i] and its code point; 0 when it is not valid UTF-8.
size_t utf8_at(std::string_view s, size_t i, char32_t& cp) {
  unsigned char c = s[i];
  size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  cp = len == 1 ? c : c & (0x7f >> len);
  for (size_t k = 1; k < len; k++) {
    unsigned char d = s[i + k];
    if ((d & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (d & 0x3f);
  }
  static const char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xc0 | cp >> 6);
    out += char(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += char(0xe0 | cp >> 12);
    out += char(0x80 | (cp >> 6 & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  } else {
    out += char(0xf0 | cp >> 18);
    out += char(0x80 | (cp >> 12 & 0x3f));
    out += char(0x80 | (cp >> 6 & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  }
}

void append_hex(std::string& out, const char* prefix, unsigned long value, int digits) {
  out += prefix;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[value >> shift & 0xf];
}

// Go's unicode.IsPrint, approximated by the C library's tables for C.UTF-8 (ASCII is decided
// before this; without that locale, every code point from U+00A1 on counts as printable).
bool printable(char32_t cp) {
  static locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(0));
  if (cp < 0xa1) return false;
  return utf8 ? iswprint_l(wint_t(cp), utf8) != 0 : true;
}

// One code point as strconv's quoting writes it, `quote` being the enclosing quote character.
void append_rune(std::string& out, char32_t cp, char quote) {
  if (cp == char32_t(quote) || cp == '\\') {
    out += '\\';
    out += char(cp);
    return;
  }
  if (cp >= 0x20 && cp < 0x7f) {
    out += char(cp);
    return;
  }
  switch (cp) {
    case '\a': out += "\\a"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\v': out += "\\v"; return;
  }
  if (cp < 0x20 || cp == 0x7f) return append_hex(out, "\\x", cp, 2);
  if (printable(cp)) return append_utf8(out, cp);
  if (cp < 0x10000) return append_hex(out, "\\u", cp, 4);
  append_hex(out, "\\U", cp, 8);
}

}  // namespace

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    char32_t cp;
    size_t len = utf8_at(s, i, cp);
    if (len == 0) {
      append_hex(out, "\\x", (unsigned char)s[i], 2);
      i++;
      continue;
    }
    append_rune(out, cp, '"');
    i += len;
  }
  return out + "\"";
}

std::string quote_rune(long long value) {
  char32_t cp = value < 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)
                    ? char32_t(0xfffd)
                    : char32_t(value);
  std::string out = "'";
  append_rune(out, cp, '\'');
  return out + "'";
}

std::optional<int> atoi(std::string_view s, std::string& error) {
  std::string_view digits = s;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  bool syntax = !digits.empty();
  bool range = false;
  unsigned long long value = 0;
  const unsigned long long limit = 1ULL << 63;  // Go's int is 64 bits
  for (char c : digits) {
    if (c < '0' || c > '9') {
      syntax = false;
      break;
    }
    if (!range) value = value * 10 + unsigned(c - '0');
    if (value > limit) range = true;
  }
  if (!syntax) {
    error = "strconv.Atoi: parsing " + quote(s) + ": invalid syntax";
    return std::nullopt;
  }
  if (range || (!negative && value == limit)) {
    error = "strconv.Atoi: parsing " + quote(s) + ": value out of range";
    return std::nullopt;
  }
  // Within Go's range but not a port: clamped, it is rejected by validation as Go's would be.
  if (value > (unsigned long long)INT_MAX) return negative ? INT_MIN : INT_MAX;
  return negative ? -int(value) : int(value);
}

std::string errno_text(int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = char(std::tolower((unsigned char)text[0]));
  return text;
}

}  // namespace roost::ns::go
