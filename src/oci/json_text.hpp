// JSON text made cheaper to parse: the insignificant whitespace taken out before nlohmann reads it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace roost::oci {

// The same JSON text without the whitespace between tokens. nlohmann's lexer pays ~50
// instructions per character it skips, and a pretty-printed config.json (spec's, jq's, crun's) is
// more than half indentation: for the 27 KB `spec --rootless` config this pass is ~0.2M
// instructions and saves ~0.8M of the parse. Token boundaries are kept: a space stays where both
// neighbours are characters of a number or literal ("[1 2]" must not become "[12]"), and
// strings are copied untouched, so the result parses exactly when the input does, to the same
// value. Anything that is not JSON is left as it is for the parser to refuse.
std::string without_insignificant_whitespace(std::string_view text);

// A compacted document with one member's value cut out: `rest` is the document with that value
// replaced by null, `value` the value's own text. See split_out_member.
struct SplitDocument {
  std::string rest;
  std::string value;
};

// Cuts out doc[outer][inner] (linux.seccomp) from compacted text, so that the rest can be parsed
// without it and the value parsed later, or never (its text is enough to find a cached result).
// nullopt whenever the cut could change what the document means: the text is not an object of
// objects down to the member, the member is absent or null, a key on the way or beside it is spelt
// with an escape (it could spell the name), a key repeats (the parser keeps the last), or the
// structure does not close. The caller then parses the whole text. Only the structure is checked:
// a bad token inside the value (`{"a":1 2}`) is found when the value is parsed, and reported then,
// in the value's own terms.
std::optional<SplitDocument> split_out_member(std::string_view compact, std::string_view outer, std::string_view inner);

// nlohmann::json::parse of the compacted text. On any error the original text is parsed again,
// so the exception (its line, column and excerpt) is the one the text itself gives.
nlohmann::json parse_json_compacted(const std::string& text);

}  // namespace roost::oci
