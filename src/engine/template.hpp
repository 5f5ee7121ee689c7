// The subset of Go's text/template that `--format` needs over a JSON document (podman's habits):
// text, `{{.Field}}`, `{{.A.B}}`, `{{.}}`, `{{json .X}}` (Go's json.Marshal: compact, <>& escaped)
// and `{{index .Map "key"}}`, `{{range .List}}...{{else}}...{{end}}` with its variables
// (`{{range $v := .List}}`, `{{range $k, $v := .Map}}`: index or key, and element; `$v.Field`; `$`
// the whole value). Values print as Go's %v prints them: strings bare, arrays "[a b]",
// objects "map[k:v]" (keys sorted), null "<nil>". `\t` and `\n` in the format are a tab and a
// newline, and each rendering ends with a newline (containers/common's NormalizeFormat), so a
// format prints one line per item. A field the value does not have is an error, as on Go's
// structs. Issue 13's container commands will extend this.
#pragma once

#include <deque>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace roost::engine {

class Template {
 public:
  // Parses once; throws roost::Error ("template: ...") for an action outside the subset.
  explicit Template(std::string_view format);
  // Renders for one value; throws roost::Error for a missing field.
  std::string render(const nlohmann::json& value) const;

 private:
  struct Piece {
    enum class Kind { Text, Field, Json, Index, Range } kind = Kind::Text;
    std::string text;                // Text: the literal; Index: the key
    std::vector<std::string> path;  // Field, Json, Index, Range: the field path ("" = the value itself)
    std::string var;                 // the path starts at this variable ("$v", "$"), not at the dot
    std::string key_var, value_var;  // Range: {{range $k, $v := ...}} (either may be empty)
    std::vector<Piece> body, otherwise;  // Range: per element; when there is none ({{else}})
  };
  // Parses actions from `at` until the end (nullptr stop) or an {{end}}/{{else}}; returns which.
  std::string parse(const std::string& text, size_t& at, std::vector<Piece>& into, bool nested);
  // Variables in scope while rendering, innermost last ("$" is the whole value); a deque, so a
  // reference to one stays valid while inner ranges push theirs.
  using Variables = std::deque<std::pair<std::string, nlohmann::json>>;
  static void render_pieces(const std::vector<Piece>& pieces, const nlohmann::json& value, Variables& vars,
                            std::string& out);
  std::string format_;
  std::vector<Piece> pieces_;
};

// Go's %v of a JSON value, as above.
std::string go_value(const nlohmann::json& value);
// Go's json.Marshal of a JSON value (compact; <, > and & as \u003c, \u003e, \u0026).
std::string go_json(const nlohmann::json& value);

}  // namespace roost::engine
