// Any bytes as config.toml and as fly.toml. The loaders may refuse a file, but only with the
// CLI's UsageError (exit code 2); any other exception escaping is a bug.
// A config that loads is written back with config_text and must read back the same, since
// `sixpn auth login` rewrites the file a user may have edited by hand.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cli/config.hpp"
#include "cli/errors.hpp"

namespace {

using namespace sixpn::cli;

void usage_error(const CliError& e) {
  if (e.exit_code() != kExitUsage || std::string_view(e.what()).empty()) __builtin_trap();
}

void config(std::string_view text) {
  ConfigFile first;
  try {
    first = parse_config_text(text, "config.toml");
  } catch (const CliError& e) {
    return usage_error(e);
  }
  ConfigFile again;
  try {
    again = parse_config_text(config_text(first), "config.toml");
  } catch (const CliError&) {
    __builtin_trap();  // what we write, we must be able to read
  }
  if (again.api_url != first.api_url || again.token != first.token || again.org != first.org) {
    __builtin_trap();
  }
}

void fly(std::string_view text) {
  try {
    auto f = parse_fly_toml_text(text, "fly.toml");
    if (f.force_https && !f.has_services) __builtin_trap();
  } catch (const CliError& e) {
    usage_error(e);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  config(text);
  fly(text);
  return 0;
}
