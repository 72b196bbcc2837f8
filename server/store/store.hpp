#pragma once
// The control plane's persistence, behind one narrow interface: the HTTP routes see only this,
// and so do the DNS server and the WireGuard gateway, through server/dns_state.hpp and
// server/gateway_state.hpp. SqliteStore is the embedded implementation; a PostgreSQL store for
// installations that outgrow one machine would implement the same class.
//
// Allocation rules (see core/address.hpp for the address layout):
// - every live address of every kind (machine, peer, Flycast) is one row of one table whose
//   address column is UNIQUE, so the database itself refuses two live objects with one address;
// - each kind draws slots from a counter per (org, host id) that only grows, inside the same
//   transaction that inserts the address, so two concurrent requests never get the same slot;
// - releasing an address (peer deleted, machine destroyed, Flycast address released) deletes
//   its row but never rewinds the counter: a released address is not handed out again, so a
//   stale DNS answer or WireGuard config can never reach a different object.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "api/host_types.hpp"
#include "api/machine_config.hpp"
#include "core/address.hpp"
#include "core/keys.hpp"
#include "server/store/machine_state.hpp"
#include "server/util.hpp"

namespace sixpn::server::store {

// What went wrong, in terms the HTTP layer maps to a status (404, 409, 422, 507, 503).
class StoreError : public std::runtime_error {
 public:
  enum class Kind { NotFound, Conflict, Invalid, Exhausted, Unavailable };
  StoreError(Kind kind, const std::string& message, std::string code = {})
      : std::runtime_error(message), kind_(kind), code_(std::move(code)) {}
  Kind kind() const { return kind_; }
  // A more precise machine word than the kind gives, when there is one.
  const std::string& code() const { return code_; }

 private:
  Kind kind_;
  std::string code_;
};

struct OrgRecord {
  std::int64_t id = 0;
  std::string slug;
  std::string name;
  std::uint32_t network_id = 0;
  std::string created_at;
};

// The caller a token stands for: the token's row and every org it may see.
struct Principal {
  std::int64_t token_id = 0;
  std::string token_name;  // "" when the operator gave it none
  std::string created_at;
  std::optional<std::string> expires_at;  // RFC 3339 UTC; none: never
  std::vector<OrgRecord> orgs;
  // An operator token belongs to no org: it may use only the operator's routes (/v1/hosts).
  bool is_operator = false;

  const OrgRecord* org(std::string_view slug) const;
  const OrgRecord* org_by_id(std::int64_t id) const;
};

// A token as the operator sees it: never the token itself, nor its hash.
struct TokenRecord {
  std::int64_t id = 0;
  std::string name;
  std::vector<std::string> orgs;  // slugs
  std::string created_at;
  std::optional<std::string> expires_at;
  std::optional<std::string> last_used_at;  // to the minute at best, see principal_for
  bool is_operator = false;
};

struct NewToken {
  std::vector<std::string> org_slugs;  // empty for an operator token
  std::string name;
  std::optional<std::string> expires_at;  // RFC 3339 UTC, "2026-12-31T00:00:00Z"
  bool is_operator = false;
};

struct AppRecord {
  std::int64_t id = 0;
  std::string name;
  OrgRecord org;
  std::string created_at;
  int machines = 0;          // not destroyed
  int started_machines = 0;  // of those, started
};

struct MachineRecord {
  std::int64_t seq = 0;
  std::string id;  // 14 lower-case hex characters
  std::string name;
  std::string app;
  std::string org;  // the app's org slug
  std::uint32_t network_id = 0;
  std::string region;
  MachineState desired = MachineState::Started;
  std::string state;  // what users see, derived_state() of the fields below
  std::string process_group;
  std::map<std::string, std::string> metadata;
  core::Ipv6 private_ip;  // kept for the record after destroy; the address itself is released
  std::uint32_t host_id = 0;  // 0: placed before any host registered ("no hosts yet")
  std::string host;           // that host's name; "" when none or removed
  api::MachineConfig config;
  // The signal and timeout the stop that set desired = stopped asked for; empty: the config's.
  api::MachineStop stop_request;
  std::uint64_t generation = 1;  // grows with every start or stop
  std::optional<std::string> reported;  // the host's last report, none before the first
  std::uint64_t reported_generation = 0;
  std::optional<int> exit_code;
  std::string message;
  bool host_removed = false;
  std::string created_at;
  std::string updated_at;
};

struct NewMachine {
  std::string id;
  std::string name;
  std::string region;
  // The region's built-in machine host id: the address's host field while no host has ever
  // registered ("no hosts yet" mode, docs/host-protocol.md). Once one has, the machine goes to
  // a live host of the region (fewest machines), else to a live embedded host (region "*"),
  // else the create fails with Invalid, code "no_host_in_region".
  std::uint32_t machine_host = 0;
  std::string process_group;
  std::map<std::string, std::string> metadata;
  api::MachineConfig config;
};

// Hosts (docs/host-protocol.md). A host is live while it was seen within this many seconds.
inline constexpr int kHostLiveSeconds = 30;
inline constexpr std::uint32_t kFirstHostId = 0x0c000001;
inline constexpr const char* kEmbeddedRegion = "*";

struct HostRecord {
  std::uint32_t id = 0;
  std::string name;
  std::string region;  // a region code, or "*" for the embedded host
  std::string pubkey;
  std::string endpoint;
  std::string created_at;
  std::optional<std::string> last_seen_at;
  bool live = false;
  int machines = 0;                      // not destroyed
  std::vector<std::uint32_t> networks;   // org networks with a machine on it that is not destroyed
};

struct NewHost {
  std::string name;  // "": the join token's name, else "host-<id hex>"
  std::string pubkey;
  std::string endpoint;
};

struct NewJoinToken {
  std::string region;
  std::string name;        // "": the host picks one
  std::string expires_at;  // RFC 3339 UTC
};

struct JoinTokenRecord {
  std::int64_t id = 0;
  std::string region;
  std::string name;
  std::string created_at;
  std::string expires_at;
};

// One line a machine wrote, as kept: `seq` orders them and is the logs' cursor.
struct LogRecord {
  std::int64_t seq = 0;
  api::LogLine line;
};
inline constexpr int kLogLinesPerMachine = 10000;

struct PeerRecord {
  std::int64_t seq = 0;
  std::string name;
  OrgRecord org;
  std::string region;
  std::string pubkey;
  core::Ipv6 peer_ip;
  std::string created_at;
};

struct NewPeer {
  std::string name;
  std::string region;
  std::uint32_t gateway_host = 0;
  std::string pubkey;
};

struct IpRecord {
  std::int64_t seq = 0;
  core::Ipv6 address;
  std::string app;
  OrgRecord org;  // the org whose network holds the address
  std::string created_at;
};

// Keyset pagination: items with seq > after, at most `limit` of them.
struct PageRequest {
  std::int64_t after = 0;
  int limit = 100;
};
template <class T>
struct PageResult {
  std::vector<T> items;
  bool more = false;  // another page follows the last item
};

// One WireGuard peer as the gateway configures it.
struct GatewayPeer {
  std::string pubkey;
  core::Ipv6 peer_ip;
  std::uint32_t network_id = 0;
  std::string org;
  std::string name;
  std::string region;
};

// Everything on the org networks at one moment, as plain rows in creation order: what the DNS
// server's data and the gateway's list of networks are made from.
struct NetworkView {
  struct Org {
    std::uint32_t network_id = 0;
    std::string slug;
  };
  struct App {  // an app, in the network of the org it belongs to
    std::uint32_t network_id = 0;
    std::string name;
  };
  // A Flycast address, in the network of the org it was allocated in: the app's own org, or
  // another org the app is exposed to.
  struct Flycast {
    std::uint32_t network_id = 0;
    std::string app;
    core::Ipv6 address;
  };
  struct Machine {  // never a destroyed one: it holds no address
    std::uint32_t network_id = 0;
    std::string id;
    std::string app;
    std::string region;
    std::string process_group;
    std::map<std::string, std::string> metadata;
    core::Ipv6 address;
    bool started = false;  // else stopped
    std::uint32_t host_id = 0;
    std::vector<api::MachineService> services;  // config.services: what Flycast reaches
  };
  struct Peer {
    std::uint32_t network_id = 0;
    std::string name;
    std::string region;  // the gateway region it connects through
    core::Ipv6 address;
  };

  // Grows with every committed change. Read before the rows: a change committed meanwhile makes
  // the view look older than it is, never newer.
  std::uint64_t version = 0;
  std::vector<Org> orgs;
  std::vector<App> apps;
  std::vector<Flycast> flycast;
  std::vector<Machine> machines;
  std::vector<Peer> peers;
};

// The gateway's own key pair: made once, on the first start, and kept in the store.
struct GatewayKeyPair {
  std::string public_key;
  core::SecretString private_key;
};

// A response kept for an Idempotency-Key.
struct StoredResponse {
  int status = 0;
  std::string body;
};

class Store {
 public:
  virtual ~Store() = default;

  // Orgs and tokens. Network ids are handed out sequentially from 1.
  virtual OrgRecord create_org(const std::string& slug, const std::string& name) = 0;
  virtual std::optional<OrgRecord> find_org(std::string_view slug) = 0;
  // Stores only the token's SHA-256; NotFound names an unknown org slug.
  virtual TokenRecord create_token(const Sha256& token_hash, const NewToken& token) = 0;
  // The token's principal as the database has it now: none for an unknown, revoked or expired
  // token. Nothing is cached, so a revocation counts from the next request on. Records
  // last_used_at at most once a minute per token, so the hot path stays read-only.
  virtual std::optional<Principal> principal_for(const Sha256& token_hash) = 0;
  virtual std::vector<TokenRecord> list_tokens() = 0;
  // Deletes the token (and what hangs off it: its org grants, its Idempotency-Keys).
  // NotFound for an id that does not exist.
  virtual void revoke_token(std::int64_t id) = 0;

  // Apps: names are unique across all orgs (they are DNS labels under .internal).
  virtual AppRecord create_app(const OrgRecord& org, const std::string& name) = 0;
  virtual std::optional<AppRecord> find_app(std::string_view name) = 0;
  virtual PageResult<AppRecord> list_apps(const std::vector<std::int64_t>& org_ids,
                                          PageRequest page) = 0;

  // Machines: create allocates the address; Destroyed releases it.
  virtual MachineRecord create_machine(const AppRecord& app, const NewMachine& machine) = 0;
  virtual std::optional<MachineRecord> find_machine(const AppRecord& app, std::string_view id) = 0;
  virtual PageResult<MachineRecord> list_machines(const AppRecord& app, PageRequest page,
                                                  bool include_destroyed) = 0;
  // Sets the desired state; a change bumps the generation. Destroyed releases the address.
  // `stop` (Stopped only) is kept as stop_request until the next change of state.
  virtual MachineRecord set_machine_state(const AppRecord& app, std::string_view id,
                                          MachineState state,
                                          const api::MachineStop& stop = {}) = 0;

  // Hosts. Join tokens and credentials are kept as SHA-256 only.
  virtual JoinTokenRecord create_join_token(const Sha256& token_hash, const NewJoinToken& t) = 0;
  // Uses the join token and creates the host in one transaction, so a token makes one host
  // however many registrations race on it. Invalid "join_token_invalid" for a token that is
  // unknown, used or expired alike; Conflict "host_key_taken", "host_name_taken".
  virtual HostRecord register_host(const Sha256& join_token_hash, const NewHost& host,
                                   const Sha256& credential_hash) = 0;
  // The host a credential belongs to (none once it is removed). Records last_seen_at, at most
  // every few seconds; a host that comes back from unreachable is a change for listeners.
  virtual std::optional<HostRecord> host_for(const Sha256& credential_hash) = 0;
  virtual std::vector<HostRecord> list_hosts() = 0;
  virtual std::vector<HostRecord> live_hosts() = 0;
  // Deletes the host: its credential is refused from then on, its machines that are not
  // destroyed become failed ("its host was removed") and their addresses are released.
  virtual HostRecord remove_host(std::uint32_t id) = 0;
  // Machines placed on the host that it has not yet reported destroyed.
  virtual std::vector<MachineRecord> host_machines(std::uint32_t host_id) = 0;
  // A report about another host's machine, or an older generation, is ignored.
  virtual void apply_reports(std::uint32_t host_id,
                             const std::vector<api::MachineReport>& reports) = 0;
  // Lines of machines that are not this host's are dropped; each machine keeps its newest
  // kLogLinesPerMachine lines.
  virtual void append_logs(std::uint32_t host_id, const std::vector<api::LogLine>& lines) = 0;
  // Oldest first, after page.after; machine_id "" for every machine of the app.
  virtual PageResult<LogRecord> app_logs(const AppRecord& app, std::string_view machine_id,
                                         PageRequest page) = 0;

  // WireGuard peers: names unique per org, public keys unique everywhere.
  virtual PeerRecord create_peer(const OrgRecord& org, const NewPeer& peer) = 0;
  virtual PageResult<PeerRecord> list_peers(const OrgRecord& org, PageRequest page) = 0;
  virtual void delete_peer(const OrgRecord& org, std::string_view name) = 0;

  // Flycast addresses of an app, allocated in `target`'s network.
  virtual IpRecord create_flycast(const AppRecord& app, const OrgRecord& target) = 0;
  virtual PageResult<IpRecord> list_ips(const AppRecord& app, PageRequest page) = 0;
  virtual void delete_ip(const AppRecord& app, const core::Ipv6& address) = 0;

  // Runs `create` at most once per (token, key): in one write transaction, it returns the
  // kept response when the key was seen (replayed = true), else runs `create` and keeps its
  // response if it succeeded (2xx). A key reused for a different request (another fingerprint)
  // is a Conflict. Concurrent duplicates serialise on the transaction, so only one creates.
  virtual StoredResponse idempotent(std::int64_t token_id, const std::string& key,
                                    const Sha256& fingerprint,
                                    const std::function<StoredResponse()>& create,
                                    bool& replayed) = 0;

  // For the gateway and the DNS server.
  virtual GatewayKeyPair gateway_key() = 0;
  virtual std::vector<GatewayPeer> all_peers() = 0;
  virtual NetworkView network_view() = 0;
  // Called after every committed change, outside the transaction, on the writing thread.
  virtual void add_change_listener(std::function<void()> listener) = 0;
};

}  // namespace sixpn::server::store
