// sixpnd: the control plane (REST API, store, allocator, DNS, WireGuard gateway).
#include <string>

#include <CLI/CLI.hpp>

#include "server/commands.hpp"
#include "server/gateway/gateway.hpp"
#include "sixpn/version.hpp"

namespace srv = sixpn::server;

int main(int argc, char** argv) {
  CLI::App app{"sixpnd: the sixpn control plane"};
  app.name("sixpnd");
  app.set_version_flag("--version", std::string("sixpnd ") + sixpn::kVersion);
  app.require_subcommand(1);

  srv::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Serve the REST API");
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on")->capture_default_str();
  serve_cmd->add_option("--db", serve.db, "SQLite database file")->capture_default_str();
  serve_cmd->add_option("--seed", serve.seed, "TOML file with regions, nearest region and orgs");
  serve_cmd
      ->add_option("--gateway-endpoint", serve.gateway_endpoint, "HOST[:PORT] WireGuard peers dial")
      ->capture_default_str();
  serve_cmd
      ->add_option("--gateway-interface", serve.gateway_interface,
                   "Run the WireGuard gateway on this interface: created (or adopted if it "
                   "exists), its peers kept equal to the store's; needs root")
      ->check([](const std::string& name) { return srv::gateway::interface_name_problem(name); });
  serve_cmd
      ->add_option("--gateway-resync", serve.gateway_resync_seconds,
                   "Seconds between full passes over the gateway (besides every change): they "
                   "undo hand edits and bring back an interface that vanished")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  serve_cmd->add_option("--nearest", serve.nearest, "Region code answered as the nearest");
  serve_cmd->add_option("--dns-listen", serve.dns_listen,
                        "Serve .internal DNS on HOST:PORT, or HOST:PORT=ORG pinned to an org "
                        "(repeatable)");
  serve_cmd->add_option("--dns-upstream", serve.dns_upstream,
                        "HOST[:PORT] to forward other DNS names to (else REFUSED)");
  serve_cmd->add_option("--tls-cert", serve.tls_cert,
                        "Serve HTTPS with this PEM certificate (its chain after it); SIGHUP "
                        "reloads it");
  serve_cmd->add_option("--tls-key", serve.tls_key, "The PEM private key of --tls-cert");
  serve_cmd
      ->add_flag("--tls-self-signed", serve.tls_self_signed,
                 "Serve HTTPS with a key pair and self-signed certificate made once and "
                 "kept in the state directory; prints the fingerprint to pin")
      ->excludes("--tls-cert")
      ->excludes("--tls-key");
  serve_cmd->add_option("--state-dir", serve.state_dir,
                        "Directory for files sixpnd keeps (default: the directory of --db)");

  auto* orgs = app.add_subcommand("orgs", "Manage organizations")->require_subcommand(1);
  srv::OrgCreateOptions org;
  auto* org_create = orgs->add_subcommand("create", "Create an organization");
  org_create->add_option("slug", org.slug, "Org slug (a lower-case DNS label)")->required();
  org_create->add_option("--name", org.name, "Display name (default: the slug)");
  org_create->add_option("--db", org.db, "SQLite database file")->capture_default_str();

  auto* tokens = app.add_subcommand("tokens", "Manage API tokens")->require_subcommand(1);
  srv::TokenCreateOptions token;
  auto* token_create = tokens->add_subcommand("create", "Create a token; prints it on stdout");
  token_create->add_option("--org", token.orgs, "Org the token may act on (repeatable)")
      ->required();
  token_create->add_option("--db", token.db, "SQLite database file")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? srv::kExitOk : srv::kExitUsage;
  }
  if (*serve_cmd) return srv::serve(serve);
  if (*org_create) return srv::create_org(org);
  if (*token_create) return srv::create_token(token);
  return srv::kExitUsage;
}
