// JSON text made cheaper to parse: the insignificant whitespace taken out before nlohmann reads it.
#pragma once

#include <nlohmann/json.hpp>
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

// nlohmann::json::parse of the compacted text. On any error the original text is parsed again,
// so the exception (its line, column and excerpt) is the one the text itself gives.
nlohmann::json parse_json_compacted(const std::string& text);

}  // namespace roost::oci
