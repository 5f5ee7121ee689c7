// Typed, optional member access for the runtime-spec JSON documents, with errors that name the
// offending field ("config.json: linux.resources.memory.limit: wrong type (string)").
#pragma once

#include <type_traits>

#include <nlohmann/json.hpp>
#include <string>

#include "util/error.hpp"

namespace roost::oci::fields {

using json = nlohmann::json;

// Reads an optional member into out; absent or null leaves out alone.
template <typename T>
void get_to(const json& obj, const char* key, T& out, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return;
  // A float into an integer field: converting 1e70 to an integer is undefined behaviour (found by
  // fuzz/fuzz_spec under UBSan), so only integer literals are accepted.
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (it->is_number_float()) throw Error("config.json: " + where + "." + key + ": must be an integer");
  }
  try {
    it->get_to(out);
  } catch (const json::exception&) {
    throw Error("config.json: " + where + "." + key + ": wrong type (" + it->type_name() + ")");
  }
}

// The member as an object (an empty one when absent or null).
inline const json& object_at(const json& obj, const char* key, const std::string& where) {
  static const json empty = json::object();
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return empty;
  if (!it->is_object()) throw Error("config.json: " + where + "." + key + ": must be an object");
  return *it;
}

// The member as an array (an empty one when absent or null).
inline const json& array_at(const json& obj, const char* key, const std::string& where) {
  static const json empty = json::array();
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return empty;
  if (!it->is_array()) throw Error("config.json: " + where + "." + key + ": must be an array");
  return *it;
}

// null, "", {} and [] carry no request.
inline bool is_empty_value(const json& v) {
  return v.is_null() || (v.is_string() && v.get<std::string>().empty()) ||
         ((v.is_object() || v.is_array()) && v.empty());
}

}  // namespace roost::oci::fields
