#pragma once
// What every command gets: the global flags, the resolved settings, the output, and whether a
// person is there to answer a prompt.
#include <optional>
#include <string>

#include "cli/config.hpp"
#include "cli/output.hpp"

namespace CLI {
class App;
}

namespace sixpn::cli {

struct GlobalOptions {
  bool json = false;
  bool verbose = false;
  double timeout_seconds = 30;
  SettingFlags settings;
};

class Context {
 public:
  GlobalOptions options;
  Output out;

  // Resolved on first use, so `--version` and `--help` never read a file or the environment.
  const Settings& settings();

  // Prompts only when stdin and stderr are terminals and CI is unset.
  bool interactive() const;

 private:
  std::optional<Settings> settings_;
};

// Binds the global flags (--json, --verbose, --api-url, --access-token, --timeout, -c/--config)
// to ctx.options.
void add_global_flags(CLI::App& app, Context& ctx);

}  // namespace sixpn::cli
