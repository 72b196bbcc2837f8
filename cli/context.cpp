#include "cli/context.hpp"

#include <unistd.h>

#include <cstdlib>

#include <CLI/CLI.hpp>

namespace sixpn::cli {

const Settings& Context::settings() {
  if (!settings_) settings_ = resolve_settings(options.settings);
  return *settings_;
}

bool Context::interactive() const {
  const char* ci = std::getenv("CI");
  return isatty(STDIN_FILENO) && isatty(STDERR_FILENO) && (ci == nullptr || *ci == '\0');
}

void add_global_flags(CLI::App& app, Context& ctx) {
  auto& o = ctx.options;
  // A flag function runs while parsing, before any command's callback reads the output mode.
  app.add_flag_function(
         "--json,-j",
         [&ctx](std::int64_t) {
           ctx.options.json = true;
           ctx.out.set_json(true);
         },
         "Print data as JSON on stdout")
      ->group("Global flags");
  app.add_flag("--verbose", o.verbose,
               "Log HTTP requests and responses to stderr (tokens redacted)")
      ->group("Global flags");
  app.add_option("--api-url", o.settings.api_url, "Control plane URL (env SIXPN_API_URL)")
      ->group("Global flags");
  app.add_option("--access-token,-t", o.settings.token, "API token (env SIXPN_API_TOKEN)")
      ->group("Global flags");
  app.add_option("--timeout", o.timeout_seconds, "Seconds before a request is given up")
      ->check(CLI::Range(0.1, 3600.0))
      ->group("Global flags");
  app.add_option("-c,--config", o.settings.fly_toml, "Path to the app's fly.toml")
      ->group("Global flags");
}

}  // namespace sixpn::cli
