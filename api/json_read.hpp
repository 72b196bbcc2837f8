#pragma once
// Strict readers for the contract's JSON, shared by the types_*.cpp files: a missing key or a
// value of the wrong type is a ShapeError naming the key, so a hostile or broken peer gets one
// clear sentence, never a crash. Internal to api/.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/types.hpp"

namespace sixpn::api::json_read {

inline const Json& field(const Json& j, const char* key) {
  if (!j.is_object()) throw ShapeError("expected a JSON object");
  auto it = j.find(key);
  if (it == j.end()) throw ShapeError(std::string("missing field \"") + key + "\"");
  return *it;
}
inline std::string str(const Json& j, const char* key) {
  const auto& v = field(j, key);
  if (!v.is_string()) throw ShapeError(std::string("field \"") + key + "\" must be a string");
  return v.get<std::string>();
}
inline std::optional<std::string> opt_str(const Json& j, const char* key) {
  if (!j.is_object()) throw ShapeError("expected a JSON object");
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw ShapeError(std::string("field \"") + key + "\" must be a string");
  return it->get<std::string>();
}
inline std::string str_or(const Json& j, const char* key, std::string fallback) {
  return opt_str(j, key).value_or(std::move(fallback));
}
inline double num(const Json& j, const char* key) {
  const auto& v = field(j, key);
  if (!v.is_number()) throw ShapeError(std::string("field \"") + key + "\" must be a number");
  return v.get<double>();
}
inline bool boolean(const Json& j, const char* key) {
  const auto& v = field(j, key);
  if (!v.is_boolean()) throw ShapeError(std::string("field \"") + key + "\" must be true or false");
  return v.get<bool>();
}
inline std::uint64_t unsigned_int(const Json& j, const char* key, std::uint64_t max) {
  const auto& v = field(j, key);
  // A non-negative integer, whichever way it was made (parsed text is unsigned, an int is not).
  bool non_negative =
      v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
  if (!non_negative || v.get<std::uint64_t>() > max) {
    throw ShapeError(std::string("field \"") + key + "\" must be an integer from 0 to " +
                     std::to_string(max));
  }
  return v.get<std::uint64_t>();
}
inline std::map<std::string, std::string> string_map(const Json& j, const char* key) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) throw ShapeError("expected a JSON object");
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_object()) throw ShapeError(std::string("field \"") + key + "\" must be an object");
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) {
      throw ShapeError(std::string("field \"") + key + "\" values must be strings");
    }
    out[k] = v.get<std::string>();
  }
  return out;
}
inline void put_opt(Json& j, const char* key, const std::optional<std::string>& v) {
  if (v) j[key] = *v;
}
// An array of T under `key`; a missing or null key is an empty list.
template <class T>
std::vector<T> list_of(const Json& j, const char* key) {
  std::vector<T> out;
  if (!j.is_object()) throw ShapeError("expected a JSON object");
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) throw ShapeError(std::string("field \"") + key + "\" must be an array");
  for (const auto& item : *it) out.push_back(item.get<T>());
  return out;
}
inline std::uint32_t u32(const Json& j, const char* key) {
  return static_cast<std::uint32_t>(unsigned_int(j, key, 0xffffffffULL));
}
inline std::uint64_t u64(const Json& j, const char* key) {
  return unsigned_int(j, key, 0xffffffffffffffffULL);
}

}  // namespace sixpn::api::json_read
