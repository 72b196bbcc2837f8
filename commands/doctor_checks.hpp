#pragma once
// One step of `sixpn doctor`: its verdict, what was seen, and what to do about a failure.
#include <string>

namespace sixpn::commands::doctor {

enum class Status { pass, fail, skip };

struct Check {
  std::string name;
  Status status = Status::skip;
  std::string detail;
  std::string advice;  // what to do about a failure
};

inline Check pass(std::string name, std::string detail) {
  return {std::move(name), Status::pass, std::move(detail), ""};
}
inline Check fail(std::string name, std::string detail, std::string advice) {
  return {std::move(name), Status::fail, std::move(detail), std::move(advice)};
}
inline Check skip(std::string name, std::string detail) {
  return {std::move(name), Status::skip, std::move(detail), ""};
}

}  // namespace sixpn::commands::doctor
