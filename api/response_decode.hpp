#pragma once
// Internal to the client's endpoint files: reading a response document into a contract type,
// with errors that name the request.
#include <string>

#include "api/types.hpp"

namespace sixpn::api::response {

inline std::string describe(const char* method, const std::string& path) {
  auto q = path.find('?');
  return std::string(method) + " " + path.substr(0, q);
}

// Turns whatever nlohmann or our readers throw into one ShapeError that names the request.
template <class T>
T decode(const Json& doc, const char* method, const std::string& path) {
  try {
    return doc.get<T>();
  } catch (const ShapeError& e) {
    throw ShapeError("unexpected response to " + describe(method, path) + ": " + e.what());
  } catch (const Json::exception& e) {
    throw ShapeError("unexpected response to " + describe(method, path) + ": " + e.what());
  }
}

}  // namespace sixpn::api::response
