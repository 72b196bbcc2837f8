#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "commands/commands.hpp"
#include "commands/common.hpp"

namespace sixpn::commands {

namespace {

struct LoginOptions {
  std::string token;
  std::string fingerprint;
};

std::string trimmed(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// A token piped in (`pass show sixpn | sixpn auth login`) keeps it out of argv and history.
std::string read_token_from_stdin() {
  std::string text;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
    text.append(buf, n);
    if (text.size() > 64 * 1024) throw cli::UsageError("the token on stdin is too long");
  }
  return trimmed(std::move(text));
}

std::string join_slugs(const std::vector<api::Org>& orgs) {
  std::string out;
  for (const auto& o : orgs) out += (out.empty() ? "" : ", ") + o.slug;
  return out.empty() ? "none" : out;
}

void run_login(cli::Context& ctx, const LoginOptions& opts) {
  std::string token = opts.token;
  if (token.empty()) {
    if (!isatty(STDIN_FILENO)) {
      token = read_token_from_stdin();
    } else if (ctx.interactive()) {
      token = ctx.prompt.secret("API token");
    }
  }
  if (token.empty()) {
    throw cli::UsageError("no token given",
                          "pass --token TOKEN or pipe the token on stdin to 'sixpn auth login'");
  }
  if (token.find_first_of(" \t\r\n") != std::string::npos) {
    throw cli::UsageError("the token contains white space; a token is one word");
  }
  if (!opts.fingerprint.empty() && api::curl_pin_of(opts.fingerprint).empty()) {
    throw cli::UsageError(
        "--fingerprint " + opts.fingerprint + " is not sha256: followed by 64 hex digits",
        "copy it from the 'TLS public key fingerprint' line sixpnd prints");
  }
  // Check the token against the API before saving it: a typo should fail now, not later.
  ctx.options.settings.token = token;
  ctx.options.settings.fingerprint = opts.fingerprint;
  auto orgs = ctx.client().orgs();
  const auto path = cli::config_file_path();
  auto file = cli::load_config_file(path);
  const auto& used = ctx.settings();
  file.api_url = used.api_url;
  file.token = token;
  // What made this login work is what later commands need: the same trust, the same pin.
  file.ca_file.reset();
  if (!used.ca_file.empty()) file.ca_file = std::filesystem::absolute(used.ca_file).string();
  file.fingerprint.reset();
  if (!used.fingerprint.empty()) file.fingerprint = used.fingerprint;
  file.insecure_http.reset();
  if (used.insecure_http) file.insecure_http = true;
  cli::save_config_file(path, file);
  ctx.out.info("Logged in to " + ctx.settings().api_url + " (orgs: " + join_slugs(orgs) +
               "); saved to " + path.string());
}

void run_whoami(cli::Context& ctx) {
  auto token = ctx.client().current_token();
  if (ctx.out.json()) {
    auto list = nlohmann::json::array();
    for (const auto& o : token.orgs) list.push_back(org_json(o));
    nlohmann::json expires = nullptr;
    if (token.expires_at) expires = *token.expires_at;
    ctx.out.json_document({{"api_url", ctx.settings().api_url},
                           {"token",
                            {{"id", token.id},
                             {"name", token.name},
                             {"created_at", token.created_at},
                             {"expires_at", expires}}},
                           {"orgs", list}});
    return;
  }
  std::string block = "Token\n";
  block += "  API URL = " + ctx.settings().api_url + "\n";
  block += "  ID      = " + std::to_string(token.id) + "\n";
  block += "  Name    = " + (token.name.empty() ? std::string("-") : token.name) + "\n";
  block += "  Orgs    = " + join_slugs(token.orgs) + "\n";
  block += "  Created = " + token.created_at + "\n";
  block += "  Expires = " + token.expires_at.value_or("never") + "\n";
  ctx.out.raw(block);
}

void run_logout(cli::Context& ctx) {
  const auto path = cli::config_file_path();
  auto file = cli::load_config_file(path);
  if (!file.token) {
    ctx.out.info("No token is saved in " + path.string() + "; nothing to do");
  } else {
    file.token.reset();
    cli::save_config_file(path, file);
    ctx.out.info("Removed the token from " + path.string());
  }
  if (const char* env = std::getenv("SIXPN_API_TOKEN"); env && *env) {
    ctx.out.warn("SIXPN_API_TOKEN is still set in this environment and will be used");
  }
}

}  // namespace

void add_auth(CLI::App& root, cli::Context& ctx) {
  auto* auth = root.add_subcommand("auth", "Log in to a control plane and manage the saved token");
  auth->require_subcommand(1);
  document(*auth,
           "Saves the API URL and token in config.toml (mode 0600, in a 0700 directory under\n"
           "$SIXPN_CONFIG_DIR or $XDG_CONFIG_HOME/sixpn). SIXPN_API_URL and SIXPN_API_TOKEN\n"
           "override the file; --api-url and --access-token override both.",
           {"sixpn auth login --api-url http://127.0.0.1:4280 --token TOKEN", "sixpn auth whoami",
            "sixpn auth logout"});

  auto opts = std::make_shared<LoginOptions>();
  auto* login = auth->add_subcommand("login", "Check a token and save it with the API URL");
  login->add_option("--token", opts->token, "The API token (else read from stdin)")
      ->type_name("TOKEN");
  login
      ->add_option("--fingerprint", opts->fingerprint,
                   "Trust the server whose TLS public key has this SHA-256 (as sixpnd prints "
                   "it), with or without a CA; saved with the URL")
      ->type_name("sha256:HEX");
  document(*login,
           "Checks the token against the API, then writes it and the API URL to config.toml,\n"
           "with --ca-file and --fingerprint when given (later commands trust the same way).\n"
           "Without --token the token is read from stdin when stdin is not a terminal, and\n"
           "asked for (without echo) on a terminal. A token goes over http:// only to a\n"
           "loopback address unless --insecure-http is given.",
           {"sixpn auth login --api-url http://127.0.0.1:4280 --token TOKEN",
            "sixpn auth login --api-url https://cp.example:4280 --fingerprint sha256:HEX",
            "sixpnd tokens create --db sixpn.db --org my-org | sixpn auth login"});
  login->callback([&ctx, opts] { run_login(ctx, *opts); });

  auto* whoami =
      auth->add_subcommand("whoami", "Show which token is in use: its id, name and orgs");
  document(*whoami,
           "Shows the API URL and the token the CLI sends: its id and name (as in\n"
           "'sixpnd tokens list'), its organizations, when it was made and when it expires.\n"
           "A revoked, expired or unknown token is exit code 3.",
           {"sixpn auth whoami", "sixpn auth whoami --json"});
  whoami->callback([&ctx] { run_whoami(ctx); });

  auto* logout = auth->add_subcommand("logout", "Remove the saved token from config.toml");
  document(*logout, "Removes the token from config.toml; the API URL and org stay.",
           {"sixpn auth logout"});
  logout->callback([&ctx] { run_logout(ctx); });
}

}  // namespace sixpn::commands
