#pragma once
// sixpnd's subcommands as functions of plain option structs (main.cpp only parses argv).
// Each returns the process exit code:
//   0 ok · 1 failure (port taken, database unusable) · 2 invalid input (flags, seed file,
//   names) · 4 not found (an org named by --org, a token id) · 5 conflict (the org already
//   exists).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sixpn::server {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,
  kExitUsage = 2,
  kExitNotFound = 4,
  kExitConflict = 5,
};

struct ServeOptions {
  std::string listen = "127.0.0.1:4280";
  std::string db = "./sixpnd.db";
  std::string seed;
  std::string gateway_endpoint = "127.0.0.1:51820";
  std::string gateway_interface;  // "": no gateway, sixpnd leaves the system's network alone
  double gateway_resync_seconds = 30;
  // Flycast autostop: seconds between passes (server/autostop.hpp).
  double autostop_interval_seconds = 180;
  std::string nearest;
  std::vector<std::string> dns_listen;    // HOST:PORT[=ORG], see docs/dns.md
  std::vector<std::string> dns_upstream;  // HOST[:PORT]…, "none"; empty: /etc/resolv.conf's
  bool no_gateway_dns = false;            // no DNS on the gateway interface's prefix::3
  // HTTPS: a PEM certificate (chain after it) and key, or a self-signed pair kept in state_dir.
  std::string tls_cert;
  std::string tls_key;
  bool tls_self_signed = false;
  std::string state_dir;  // "": the directory of db
  // API connections served at once, each on a thread of its own; more wait (docs/sixpnd.md).
  std::size_t max_connections = 4096;
  // --host: the embedded host (server/embedded_host.hpp).
  bool host = false;
  std::string host_state_dir;  // "": <state_dir>/host
  std::string host_netns_prefix = "sixpn-";
};
int serve(const ServeOptions& options);

struct OrgCreateOptions {
  std::string slug;
  std::string name;
  std::string db = "./sixpnd.db";
};
int create_org(const OrgCreateOptions& options);

struct TokenCreateOptions {
  std::string db = "./sixpnd.db";
  std::vector<std::string> orgs;
  bool is_operator = false;  // no org; only the operator's routes (/v1/hosts)
  std::string name;
  std::string expires;  // "": never; see parse_expiry in server/tokens.hpp
};
int create_token(const TokenCreateOptions& options);

struct TokenListOptions {
  std::string db = "./sixpnd.db";
  bool json = false;
};
int list_tokens(const TokenListOptions& options);

struct TokenRevokeOptions {
  std::string db = "./sixpnd.db";
  std::int64_t id = 0;
};
int revoke_token(const TokenRevokeOptions& options);

struct HostCreateOptions {
  std::string db = "./sixpnd.db";
  std::string seed;    // its regions instead of the built-in ones, as `serve --seed`
  std::string region;  // a region code, or "*" for the embedded host
  std::string name;
  std::string expires = "1h";
};
int create_host_token(const HostCreateOptions& options);

struct HostListOptions {
  std::string db = "./sixpnd.db";
  bool json = false;
};
int list_hosts(const HostListOptions& options);

struct HostRemoveOptions {
  std::string db = "./sixpnd.db";
  std::string host;  // id (8 hex digits, 0x…, or decimal) or name
};
int remove_host(const HostRemoveOptions& options);

// Copies a SQLite installation into an empty PostgreSQL database (server/store/store_copy.hpp).
struct MigrateStoreOptions {
  std::string from;  // the SQLite file
  std::string to;    // postgres://… or postgresql://…
  bool json = false;
};
int migrate_store(const MigrateStoreOptions& options);

// The org-slug rule: a lower-case DNS label. "" when `slug` is fine.
std::string org_slug_problem(const std::string& slug);
// A host's name follows the same rule.
std::string host_name_problem(const std::string& name);

}  // namespace sixpn::server
