#pragma once
// The message of the cli::UsageError a call throws, for tests of flag planners.
#include <string>

#include "cli/errors.hpp"

namespace sixpn::commands {

// The UsageError's message, or "" when the call did not throw one.
template <class F>
std::string usage_error(F&& f) {
  try {
    f();
  } catch (const cli::UsageError& e) {
    return e.what();
  }
  return "";
}

}  // namespace sixpn::commands
