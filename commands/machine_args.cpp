#include "commands/machine_args.hpp"

#include "cli/errors.hpp"

namespace sixpn::commands {

std::map<std::string, std::string> parse_metadata(const std::vector<std::string>& pairs) {
  std::map<std::string, std::string> out;
  for (const auto& pair : pairs) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw cli::UsageError("metadata \"" + pair + "\" is not key=value",
                            "write it as --metadata key=value");
    }
    out[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return out;
}

}  // namespace sixpn::commands
