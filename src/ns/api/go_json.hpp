// JSON written as Go's encoding/json writes it (rootlesskit's API and rootlessctl are Go): the
// same string escaping (<, >, & as \u003c..., U+2028/9, control bytes as \u00XX, bad UTF-8 as
// \ufffd) and, for json.MarshalIndent, the same layout.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace roost::ns {

std::string go_json_quote(std::string_view text);

class GoJsonWriter {
 public:
  explicit GoJsonWriter(int indent = 0) : indent_(indent) {}
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view name);
  void string(std::string_view value) { scalar(go_json_quote(value)); }
  void number(long long value) { scalar(std::to_string(value)); }
  void boolean(bool value) { scalar(value ? "true" : "false"); }
  void null() { scalar("null"); }
  const std::string& text() const { return out_; }

 private:
  void open(char bracket);
  void close(char bracket);
  void scalar(const std::string& token);
  void before_value();
  void newline();

  int indent_;
  std::string out_;
  std::vector<int> counts_;  // values so far at each open level
  bool after_key_ = false;
};

}  // namespace roost::ns
