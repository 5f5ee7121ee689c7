#include "engine/template.hpp"

#include <cctype>

#include "util/error.hpp"

namespace roost::engine {
namespace {

std::string unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 't' || text[i + 1] == 'n')) {
      out += text[i + 1] == 't' ? '\t' : '\n';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<std::string> words(std::string_view action) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < action.size()) {
    while (i < action.size() && std::isspace(static_cast<unsigned char>(action[i]))) ++i;
    if (i >= action.size()) break;
    size_t start = i;
    if (action[i] == '"') {
      ++i;
      while (i < action.size() && action[i] != '"') i += action[i] == '\\' ? 2 : 1;
      if (i >= action.size()) throw Error("template: unterminated quoted string in {{" + std::string(action) + "}}");
      ++i;
    } else {
      while (i < action.size() && !std::isspace(static_cast<unsigned char>(action[i]))) ++i;
    }
    out.emplace_back(action.substr(start, i - start));
  }
  return out;
}

// ".A.B" -> {"A", "B"}; "." -> {}.
std::vector<std::string> field_path(const std::string& word, std::string_view action) {
  if (word.empty() || word[0] != '.') throw Error("template: unsupported action {{" + std::string(action) + "}}");
  std::vector<std::string> path;
  if (word == ".") return path;
  size_t i = 1;
  while (i <= word.size()) {
    size_t dot = word.find('.', i);
    std::string name = word.substr(i, dot == std::string::npos ? std::string::npos : dot - i);
    bool ok = !name.empty();
    for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!ok) throw Error("template: bad field name in {{" + std::string(action) + "}}");
    path.push_back(name);
    if (dot == std::string::npos) break;
    i = dot + 1;
  }
  return path;
}

// A value operand: ".A.B" (from the dot) or "$v.A" / "$" (from a variable): sets the piece's
// var and path.
template <typename Piece>
void set_operand(Piece& piece, const std::string& word, std::string_view action) {
  if (word.empty() || word[0] != '$') {
    piece.path = field_path(word, action);
    return;
  }
  const size_t dot = word.find('.');
  piece.var = word.substr(0, dot);
  if (dot != std::string::npos) piece.path = field_path(word.substr(dot), action);
}

const nlohmann::json& walk(const nlohmann::json& value, const std::vector<std::string>& path) {
  const nlohmann::json* at = &value;
  for (const auto& name : path) {
    if (!at->is_object() || !at->contains(name)) throw Error("template: can't evaluate field " + name);
    at = &(*at)[name];
  }
  return *at;
}

}  // namespace

std::string go_value(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string: return value.get<std::string>();
    case nlohmann::json::value_t::null: return "<nil>";
    case nlohmann::json::value_t::array: {
      std::string out = "[";
      for (size_t i = 0; i < value.size(); ++i) out += (i ? " " : "") + go_value(value[i]);
      return out + "]";
    }
    case nlohmann::json::value_t::object: {
      std::string out = "map[";
      bool first = true;
      for (const auto& [k, v] : value.items()) {  // nlohmann's object keeps keys sorted, as Go prints
        out += (first ? "" : " ") + k + ":" + go_value(v);
        first = false;
      }
      return out + "]";
    }
    default: return value.dump();
  }
}

std::string go_json(const nlohmann::json& value) {
  std::string out;
  for (char c : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

Template::Template(std::string_view format) : format_(format) {
  const std::string text = unescape(format);
  size_t at = 0;
  const std::string stop = parse(text, at, pieces_, false);
  if (!stop.empty()) throw Error("template: unexpected {{" + stop + "}} in \"" + format_ + "\"");
}

std::string Template::parse(const std::string& text, size_t& i, std::vector<Piece>& into, bool nested) {
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    if (open == std::string::npos) {
      into.push_back({Piece::Kind::Text, text.substr(i), {}, {}, {}});
      i = text.size();
      break;
    }
    if (open > i) into.push_back({Piece::Kind::Text, text.substr(i, open - i), {}, {}, {}});
    size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) throw Error("template: unclosed action in \"" + format_ + "\"");
    std::string_view action = std::string_view(text).substr(open + 2, close - open - 2);
    std::vector<std::string> w = words(action);
    i = close + 2;
    if (w.size() == 1 && (w[0] == "end" || w[0] == "else")) {
      if (!nested) throw Error("template: unexpected {{" + w[0] + "}} in \"" + format_ + "\"");
      return w[0];
    }
    if (w.size() == 1) {
      Piece field{Piece::Kind::Field};
      set_operand(field, w[0], action);
      into.push_back(std::move(field));
    } else if (w.size() == 2 && w[0] == "json") {
      Piece json{Piece::Kind::Json};
      set_operand(json, w[1], action);
      into.push_back(std::move(json));
    } else if (w.size() >= 2 && w[0] == "range") {
      Piece range{Piece::Kind::Range};
      set_operand(range, w.back(), action);
      if (w.size() > 2) {
        // "$v :=" or "$k, $v :=" (the comma may touch either name).
        if (w[w.size() - 2] != ":=") throw Error("template: bad range in {{" + std::string(action) + "}}");
        std::string names;
        for (size_t k = 1; k + 2 < w.size(); ++k) names += w[k];
        const size_t comma = names.find(',');
        const std::string first = names.substr(0, comma);
        const std::string second = comma == std::string::npos ? "" : names.substr(comma + 1);
        auto is_var = [](const std::string& name) {
          bool ok = name.size() > 1 && name[0] == '$';
          for (size_t k = 1; ok && k < name.size(); ++k)
            ok = std::isalnum(static_cast<unsigned char>(name[k])) || name[k] == '_';
          return ok;
        };
        // Space-separated names must still be separated by the comma.
        if (w.size() > 5 || (w.size() == 5 && names.find(',') == std::string::npos))
          throw Error("template: bad range variables in {{" + std::string(action) + "}}");
        if (!is_var(first) || (comma != std::string::npos && !is_var(second)))
          throw Error("template: bad range variables in {{" + std::string(action) + "}}");
        if (comma == std::string::npos) {
          range.value_var = first;
        } else {
          range.key_var = first;
          range.value_var = second;
        }
      }
      std::string stop = parse(text, i, range.body, true);
      if (stop == "else") stop = parse(text, i, range.otherwise, true);
      if (stop != "end") throw Error("template: {{range}} without {{end}} in \"" + format_ + "\"");
      into.push_back(std::move(range));
    } else if (w.size() == 3 && w[0] == "index" && w[2].size() >= 2 && w[2].front() == '"') {
      Piece index{Piece::Kind::Index, w[2].substr(1, w[2].size() - 2)};
      set_operand(index, w[1], action);
      into.push_back(std::move(index));
    } else if (w.empty()) {
      throw Error("template: missing value for command in \"" + format_ + "\"");
    } else {
      throw Error("template: unsupported action {{" + std::string(action) + "}} (roost knows {{.Field}}, "
                  "{{json .Field}}, {{index .Field \"key\"}} and {{range .Field}}...{{end}})");
    }
  }
  return "";
}

void Template::render_pieces(const std::vector<Piece>& pieces, const nlohmann::json& value, Variables& vars,
                              std::string& out) {
  // The value an operand starts from: the dot, or the innermost variable of that name.
  auto base = [&](const Piece& piece) -> const nlohmann::json& {
    if (piece.var.empty()) return value;
    for (auto it = vars.rbegin(); it != vars.rend(); ++it)
      if (it->first == piece.var) return it->second;
    throw Error("template: undefined variable: " + piece.var);
  };
  for (const auto& piece : pieces) {
    switch (piece.kind) {
      case Piece::Kind::Text: out += piece.text; break;
      case Piece::Kind::Field: out += go_value(walk(base(piece), piece.path)); break;
      case Piece::Kind::Json: out += go_json(walk(base(piece), piece.path)); break;
      case Piece::Kind::Index: {
        const nlohmann::json& map = walk(base(piece), piece.path);
        if (!map.is_object() && !map.is_null()) throw Error("template: index of a value that is not a map");
        out += map.is_object() && map.contains(piece.text) ? go_value(map[piece.text]) : "<no value>";
        break;
      }
      case Piece::Kind::Range: {
        const nlohmann::json& list = walk(base(piece), piece.path);
        if (!list.is_array() && !list.is_object() && !list.is_null())
          throw Error("template: range can't iterate over " + go_value(list));
        if (list.empty()) {
          render_pieces(piece.otherwise, value, vars, out);
          break;
        }
        size_t position = 0;
        for (const auto& item : list.items()) {
          // A list's key is its index (a number, as Go's int); a map's, the key (sorted, as Go's).
          const nlohmann::json key = list.is_array() ? nlohmann::json(position++) : nlohmann::json(item.key());
          const size_t scope = vars.size();
          if (!piece.key_var.empty()) vars.emplace_back(piece.key_var, key);
          if (!piece.value_var.empty()) vars.emplace_back(piece.value_var, item.value());
          render_pieces(piece.body, item.value(), vars, out);
          vars.resize(scope);
        }
        break;
      }
    }
  }
}

std::string Template::render(const nlohmann::json& value) const {
  std::string out;
  Variables vars{{"$", value}};
  render_pieces(pieces_, value, vars, out);
  if (out.empty() || out.back() != '\n') out += '\n';
  return out;
}

}  // namespace roost::engine
