#pragma once
#include <map>
#include <string>
#include <vector>

namespace sixpn::commands {

// "--metadata role=db --metadata tier=1" → {role: db, tier: 1}. A pair without '=' or with an
// empty key is a UsageError; a repeated key keeps the last value, as flyctl does.
std::map<std::string, std::string> parse_metadata(const std::vector<std::string>& pairs);

}  // namespace sixpn::commands
