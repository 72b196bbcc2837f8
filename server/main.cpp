// sixpnd: the control plane (REST API, store, allocator, DNS, WireGuard gateway).
#include <string>

#include <CLI/CLI.hpp>

#include "host/agent_command.hpp"
#include "host/shim.hpp"
#include "net/gateway.hpp"
#include "server/commands.hpp"
#include "sixpn/version.hpp"

namespace srv = sixpn::server;

namespace {
// Every command that opens the store takes the same --db.
constexpr const char* kDbHelp =
    "SQLite database file, or a PostgreSQL URL (postgres://user@host/db; the password from "
    "PGPASSFILE or PGPASSWORD, never the command line)";
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sixpnd: the sixpn control plane"};
  app.name("sixpnd");
  app.set_version_flag("--version", std::string("sixpnd ") + sixpn::kVersion);
  app.require_subcommand(1);

  srv::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Serve the REST API");
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on")->capture_default_str();
  serve_cmd->add_option("--db", serve.db, kDbHelp)->capture_default_str();
  serve_cmd->add_option("--seed", serve.seed, "TOML file with regions, nearest region and orgs");
  serve_cmd
      ->add_option("--gateway-endpoint", serve.gateway_endpoint, "HOST[:PORT] WireGuard peers dial")
      ->capture_default_str();
  serve_cmd
      ->add_option("--gateway-interface", serve.gateway_interface,
                   "Run the WireGuard gateway on this interface: created (or adopted if it "
                   "exists), its peers kept equal to the store's; needs root")
      ->check([](const std::string& name) { return sixpn::net::interface_name_problem(name); });
  serve_cmd
      ->add_option("--gateway-resync", serve.gateway_resync_seconds,
                   "Seconds between full passes over the gateway (besides every change): they "
                   "undo hand edits and bring back an interface that vanished")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  serve_cmd
      ->add_option("--autostop-interval", serve.autostop_interval_seconds,
                   "Seconds between Flycast autostop passes: each stops, per app and region, one "
                   "started machine the proxies' load does not need (services with autostop)")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  serve_cmd->add_option("--nearest", serve.nearest, "Region code answered as the nearest");
  serve_cmd->add_option("--dns-listen", serve.dns_listen,
                        "Serve .internal DNS on HOST:PORT, or HOST:PORT=ORG pinned to an org "
                        "(repeatable)");
  serve_cmd
      ->add_option("--dns-upstream", serve.dns_upstream,
                   "HOST[:PORT] to forward names outside .internal to, tried in turn (repeatable, "
                   "or comma-separated); default: the nameservers of /etc/resolv.conf; \"none\": "
                   "REFUSED")
      ->delimiter(',');
  serve_cmd->add_flag("--no-gateway-dns", serve.no_gateway_dns,
                      "Do not answer DNS on port 53 of the gateway interface (every org's "
                      "prefix::3), for operators who run their own server there");
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
  serve_cmd
      ->add_option("--max-connections", serve.max_connections,
                   "API connections served at once, each on a thread of its own (kept-alive and "
                   "long-poll ones included); more wait until one closes")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
      ->capture_default_str();
  serve_cmd->add_option("--state-dir", serve.state_dir,
                        "Directory for files sixpnd keeps (default: the directory of --db)");
  serve_cmd->add_flag("--host", serve.host,
                      "Also run machines here: an embedded host for every region without hosts "
                      "of its own (needs root and --gateway-interface)");
  serve_cmd->add_option("--host-state-dir", serve.host_state_dir,
                        "The embedded host's directory (default: <state dir>/host)");
  serve_cmd
      ->add_option("--host-netns-prefix", serve.host_netns_prefix,
                   "The embedded host's machine namespaces are <prefix><machine id>")
      ->capture_default_str();
  serve_cmd->footer(
      "Examples:\n"
      "  sixpnd serve --db ./sixpnd.db\n"
      "  sudo sixpnd serve --db /var/lib/sixpnd/sixpnd.db --listen 10.0.0.1:4280 --tls-self-signed \\\n"
      "      --gateway-interface sixpn0 --gateway-endpoint 203.0.113.7:51820 --host");

  auto* orgs = app.add_subcommand("orgs", "Manage organizations")->require_subcommand(1);
  srv::OrgCreateOptions org;
  auto* org_create = orgs->add_subcommand("create", "Create an organization");
  org_create->add_option("slug", org.slug, "Org slug (a lower-case DNS label)")->required();
  org_create->add_option("--name", org.name, "Display name (default: the slug)");
  org_create->add_option("--db", org.db, kDbHelp)->capture_default_str();

  auto* tokens = app.add_subcommand("tokens", "Manage API tokens")->require_subcommand(1);
  srv::TokenCreateOptions token;
  auto* token_create = tokens->add_subcommand("create", "Create a token; prints it on stdout");
  token_create->add_option("--org", token.orgs, "Org the token may act on (repeatable)");
  token_create
      ->add_flag("--operator", token.is_operator,
                 "An operator token: no org, only the operator's routes (GET /v1/hosts, "
                 "DELETE /v1/hosts/{id})")
      ->excludes("--org");
  token_create->add_option("--name", token.name, "A name to tell the token apart by");
  token_create
      ->add_option("--expires", token.expires,
                   "Expire after a duration (90m, 12h, 30d) or at an RFC 3339 time")
      ->type_name("WHEN");
  token_create->add_option("--db", token.db, kDbHelp)->capture_default_str();
  token_create->footer(
      "The token goes alone to stdout and is shown once; its id (for 'tokens revoke') goes to\n"
      "stderr.\n\nExamples:\n"
      "  TOKEN=$(sixpnd tokens create --db ./sixpnd.db --org acme --name ci --expires 30d)\n"
      "  sixpnd tokens create --db ./sixpnd.db --org acme --expires 2027-01-01T00:00:00Z\n"
      "  OPERATOR=$(sixpnd tokens create --db ./sixpnd.db --operator --name ops)");

  srv::TokenListOptions token_list;
  auto* token_list_cmd =
      tokens->add_subcommand("list", "List tokens: id, name, orgs, created, expires, last used");
  token_list_cmd->add_flag("--json", token_list.json, "Print a JSON array");
  token_list_cmd->add_option("--db", token_list.db, kDbHelp)->capture_default_str();
  token_list_cmd->footer(
      "Never shows a token or its hash. --json: [{id, name, orgs, created_at, expires_at,\n"
      "last_used_at}], null for never. Last use is recorded to the minute.\n\nExamples:\n"
      "  sixpnd tokens list --db ./sixpnd.db\n  sixpnd tokens list --db ./sixpnd.db --json");

  srv::TokenRevokeOptions token_revoke;
  auto* token_revoke_cmd =
      tokens->add_subcommand("revoke", "Revoke a token: its next request gets 401");
  token_revoke_cmd->add_option("id", token_revoke.id, "Token id (from tokens list)")->required();
  token_revoke_cmd->add_option("--db", token_revoke.db, kDbHelp)->capture_default_str();
  token_revoke_cmd->footer(
      "Takes effect at once, also for requests waiting in sixpnd's queue. An unknown id is\n"
      "exit code 4.\n\nExample:\n  sixpnd tokens revoke 3 --db ./sixpnd.db");

  auto* hosts = app.add_subcommand("hosts", "Manage the hosts that run machines")
                    ->require_subcommand(1);
  srv::HostCreateOptions host_create;
  auto* host_create_cmd =
      hosts->add_subcommand("create", "Make a join token for one new host; prints it on stdout");
  host_create_cmd
      ->add_option("--region", host_create.region,
                   "Region the host serves, or \"*\" for the control plane's embedded host")
      ->required();
  host_create_cmd->add_option("--name", host_create.name,
                              "The host's name (default: the one it asks for, else host-<id>)");
  host_create_cmd
      ->add_option("--expires", host_create.expires,
                   "The token expires after a duration (90m, 12h, 30d) or at an RFC 3339 time")
      ->type_name("WHEN")
      ->capture_default_str();
  host_create_cmd->add_option("--seed", host_create.seed,
                              "Take the regions from this seed file, as `serve --seed` does");
  host_create_cmd->add_option("--db", host_create.db, kDbHelp)->capture_default_str();
  host_create_cmd->footer(
      "The join token goes alone to stdout; it is shown once and registers one host, once,\n"
      "before it expires. An unknown region is exit code 2.\n\nExamples:\n"
      "  JOIN=$(sixpnd hosts create --db ./sixpnd.db --region ams --name ams-1)\n"
      "  sixpnd hosts create --db ./sixpnd.db --region fra --expires 10m");

  srv::HostListOptions host_list;
  auto* host_list_cmd = hosts->add_subcommand(
      "list", "List hosts: id, name, region, endpoint, state, machines, last seen");
  host_list_cmd->add_flag("--json", host_list.json, "Print a JSON array");
  host_list_cmd->add_option("--db", host_list.db, kDbHelp)->capture_default_str();
  host_list_cmd->footer(
      "A host is live when it was seen within the last 30 s, else unreachable. --json:\n"
      "[{id, id_hex, name, region, pubkey, endpoint, state, machines, created_at,\n"
      "last_seen_at}].\n\nExamples:\n"
      "  sixpnd hosts list --db ./sixpnd.db\n  sixpnd hosts list --db ./sixpnd.db --json");

  srv::HostRemoveOptions host_remove;
  auto* host_remove_cmd = hosts->add_subcommand(
      "remove", "Remove a host: its credential is refused, its machines fail");
  host_remove_cmd->add_option("host", host_remove.host, "Host id (as hosts list shows it) or name")
      ->required();
  host_remove_cmd->add_option("--db", host_remove.db, kDbHelp)->capture_default_str();
  host_remove_cmd->footer(
      "Takes effect at once. Its machines that were not destroyed become failed (\"its host\n"
      "was removed\") and their addresses are released. An unknown host is exit code 4.\n\n"
      "Examples:\n  sixpnd hosts remove ams-1 --db ./sixpnd.db\n"
      "  sixpnd hosts remove 0c000001 --db ./sixpnd.db");

  srv::MigrateStoreOptions migrate;
  auto* migrate_cmd =
      app.add_subcommand("migrate-store", "Copy a SQLite database into an empty PostgreSQL one");
  migrate_cmd->add_option("--from", migrate.from, "The SQLite database file")->required();
  migrate_cmd
      ->add_option("--to", migrate.to,
                   "The PostgreSQL URL (the password from PGPASSFILE or PGPASSWORD)")
      ->required();
  migrate_cmd->add_flag("--json", migrate.json, "Print the rows copied per table as JSON");
  migrate_cmd->footer(
      "Copies every org, token, app, machine, peer, IP, counter, host and the gateway key in one\n"
      "transaction and checks each table's count before committing; a target that already\n"
      "holds rows is refused (exit code 5). Stop sixpnd serve on the SQLite file first.\n\n"
      "Example:\n  sixpnd migrate-store --from ./sixpnd.db --to "
      "postgres://sixpn@db.internal/sixpn");

  sixpn::host::HostCommandOptions host;
  auto* host_cmd = sixpn::host::add_host_command(app, host);

  // Started by the host agent for each machine it runs, never by a person: not listed in help.
  sixpn::host::ShimOptions shim;
  bool shim_detach = false;
  auto* shim_cmd = app.add_subcommand("machine-shim",
                                      "Run one machine under runc, keeping its "
                                      "logs and exit code (started by the host)");
  shim_cmd->group("");
  shim_cmd->add_option("--runc-root", shim.runc_root, "runc's state directory")->required();
  shim_cmd->add_option("--bundle", shim.bundle, "The machine's OCI bundle")->required();
  shim_cmd->add_option("--id", shim.id, "The machine id (the container id)")->required();
  shim_cmd->add_option("--log", shim.log_path, "Where the log records go")->required();
  shim_cmd->add_option("--exit-file", shim.exit_path, "Where the exit code goes")->required();
  shim_cmd->add_option("--log-max-bytes", shim.log_max_bytes, "Rotate the log at this size")
      ->check(CLI::Range(std::uint64_t{4096}, std::uint64_t{1} << 40));
  shim_cmd->add_flag("--detach", shim_detach, "Run in a session of its own; return at once");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? srv::kExitOk : srv::kExitUsage;
  }
  if (*serve_cmd) return srv::serve(serve);
  if (*host_cmd) return sixpn::host::run_host_command(host);
  if (*shim_cmd) {
    return shim_detach ? sixpn::host::run_shim_detached(shim) : sixpn::host::run_shim(shim);
  }
  if (*migrate_cmd) return srv::migrate_store(migrate);
  if (*org_create) return srv::create_org(org);
  if (*token_create) return srv::create_token(token);
  if (*token_list_cmd) return srv::list_tokens(token_list);
  if (*token_revoke_cmd) return srv::revoke_token(token_revoke);
  if (*host_create_cmd) return srv::create_host_token(host_create);
  if (*host_list_cmd) return srv::list_hosts(host_list);
  if (*host_remove_cmd) return srv::remove_host(host_remove);
  return srv::kExitUsage;
}
