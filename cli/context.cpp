#include "cli/context.hpp"

#include <unistd.h>

#include <cstdlib>

#include <CLI/CLI.hpp>

#include "cli/errors.hpp"
#include "cli/signals.hpp"
#include "sixpn/version.hpp"

namespace sixpn::cli {

const Settings& Context::settings() {
  if (!settings_) settings_ = resolve_settings(options.settings);
  return *settings_;
}

api::Client& Context::client() {
  if (!client_) {
    const auto& s = settings();
    // A token is one word of visible ASCII; anything else would end up as extra header
    // lines in the request (CR LF in a pasted token) or could never be valid.
    for (unsigned char c : s.token) {
      if (c < 0x21 || c > 0x7e) {
        throw UsageError("the API token contains white space or control characters",
                         "check --access-token, SIXPN_API_TOKEN and config.toml");
      }
    }
    api::ClientOptions o;
    o.base_url = s.api_url;
    o.token = s.token;
    o.ca_file = s.ca_file;
    o.fingerprint = s.fingerprint;
    o.allow_insecure_http = s.insecure_http;
    o.user_agent = std::string("sixpn/") + kVersion;
    o.timeout_seconds = options.timeout_seconds;
    o.connect_timeout_seconds = std::min(10.0, options.timeout_seconds);
    if (options.verbose) o.log = [this](std::string_view line) { out.info(line); };
    o.cancelled = [] { return interrupted(); };
    client_ = std::make_unique<api::Client>(std::move(o));
  }
  return *client_;
}

bool Context::interactive() const {
  if (interactive_override_) return *interactive_override_;
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
      ->type_name("URL")
      ->group("Global flags");
  app.add_option("--access-token,-t", o.settings.token, "API token (env SIXPN_API_TOKEN)")
      ->type_name("TOKEN")
      ->group("Global flags");
  app.add_option("--ca-file", o.settings.ca_file,
                 "PEM file of CA certificates to trust besides the system's (env SIXPN_CA_FILE)")
      ->type_name("FILE")
      ->group("Global flags");
  app.add_flag("--insecure-http", o.settings.insecure_http,
               "Allow sending the token over http:// to a host that is not loopback (env "
               "SIXPN_INSECURE_HTTP=1; labs only)")
      ->group("Global flags");
  app.add_option("--timeout", o.timeout_seconds, "Seconds before a request is given up")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.1, 3600.0))
      ->group("Global flags");
  app.add_option("-c,--config", o.settings.fly_toml, "Path to the app's fly.toml")
      ->type_name("FILE")
      ->group("Global flags");
}

CLI::Option* add_org_flag(CLI::App& cmd, Context& ctx) {
  return cmd.add_option("-o,--org", ctx.options.settings.org, "Organization slug (env SIXPN_ORG)")
      ->type_name("ORG");
}

CLI::Option* add_app_flag(CLI::App& cmd, Context& ctx) {
  return cmd
      .add_option("-a,--app", ctx.options.settings.app,
                  "App name (env SIXPN_APP, else fly.toml's app)")
      ->type_name("APP");
}

}  // namespace sixpn::cli
