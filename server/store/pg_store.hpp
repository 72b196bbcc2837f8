#pragma once
// The PostgreSQL store: the same Store as SqliteStore, for installations that outgrow one
// machine. Chosen by a --db of postgres://… or postgresql://… (open_store in store_open.hpp).
//
// Concurrency: a pool of connections, each request's work one transaction on one of them.
// Reads are REPEATABLE READ READ ONLY (one consistent snapshot, never a serialization failure).
// Writes are SERIALIZABLE unless a call says otherwise: the database, not a lock in this process,
// orders them, so two replicas on one database keep every invariant. The hot creates (peers,
// machines, Flycast addresses) run at READ COMMITTED: their only read-then-write is the slot
// counter, an upsert that locks its row, and every uniqueness they check is also a UNIQUE index.
// A transaction the server chose as a victim (SQLSTATE 40001, 40P01) runs again, a bounded
// number of times. A write started inside another (an Idempotency-Key wrapping a create) joins
// it as a SAVEPOINT, as in the SQLite store.
//
// PostgreSQL away: calls throw StoreError Unavailable (the HTTP layer's 503), the open
// transaction is lost whole on the server's side, and the next call connects again.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/regions.hpp"
#include "server/store/change_listeners.hpp"
#include "server/store/pg_db.hpp"
#include "server/store/store.hpp"

namespace sixpn::server::store {

class PgStore final : public Store {
 public:
  // Connects and applies pending migrations. Throws StoreError (Unavailable) with one clear
  // sentence, the URL's password masked, when the server cannot be reached or the database is
  // newer than this sixpnd.
  PgStore(const std::string& url, RegionCatalog regions, int connections = 4);
  ~PgStore() override;

  int schema_version();

  OrgRecord create_org(const std::string& slug, const std::string& name) override;
  std::optional<OrgRecord> find_org(std::string_view slug) override;
  TokenRecord create_token(const Sha256& token_hash, const NewToken& token) override;
  std::optional<Principal> principal_for(const Sha256& token_hash) override;
  std::vector<TokenRecord> list_tokens() override;
  void revoke_token(std::int64_t id) override;

  AppRecord create_app(const OrgRecord& org, const std::string& name) override;
  std::optional<AppRecord> find_app(std::string_view name) override;
  PageResult<AppRecord> list_apps(const std::vector<std::int64_t>& org_ids,
                                  PageRequest page) override;

  MachineRecord create_machine(const AppRecord& app, const NewMachine& machine) override;
  std::optional<MachineRecord> find_machine(const AppRecord& app, std::string_view id) override;
  PageResult<MachineRecord> list_machines(const AppRecord& app, PageRequest page,
                                          bool include_destroyed) override;
  MachineRecord set_machine_state(const AppRecord& app, std::string_view id, MachineState state,
                                  const api::MachineStop& stop = {}) override;

  JoinTokenRecord create_join_token(const Sha256& token_hash, const NewJoinToken& t) override;
  HostRecord register_host(const Sha256& join_token_hash, const NewHost& host,
                           const Sha256& credential_hash) override;
  std::optional<HostRecord> host_for(const Sha256& credential_hash) override;
  std::vector<HostRecord> list_hosts() override;
  std::vector<HostRecord> live_hosts() override;
  HostRecord remove_host(std::uint32_t id) override;
  std::vector<MachineRecord> host_machines(std::uint32_t host_id) override;
  void apply_reports(std::uint32_t host_id,
                     const std::vector<api::MachineReport>& reports) override;
  void append_logs(std::uint32_t host_id, const std::vector<api::LogLine>& lines) override;
  PageResult<LogRecord> app_logs(const AppRecord& app, std::string_view machine_id,
                                 PageRequest page) override;

  PeerRecord create_peer(const OrgRecord& org, const NewPeer& peer) override;
  PageResult<PeerRecord> list_peers(const OrgRecord& org, PageRequest page) override;
  void delete_peer(const OrgRecord& org, std::string_view name) override;

  IpRecord create_flycast(const AppRecord& app, const OrgRecord& target) override;
  PageResult<IpRecord> list_ips(const AppRecord& app, PageRequest page) override;
  void delete_ip(const AppRecord& app, const core::Ipv6& address) override;

  StoredResponse idempotent(std::int64_t token_id, const std::string& key,
                            const Sha256& fingerprint,
                            const std::function<StoredResponse()>& create, bool& replayed) override;

  GatewayKeyPair gateway_key() override;
  std::vector<GatewayPeer> all_peers() override;
  NetworkView network_view() override;
  void add_change_listener(std::function<void()> listener) override;

 private:
  using Connection = pg::Connection;
  enum class Isolation { ReadCommitted, Serializable };

  struct TxContext {
    const void* store = nullptr;
    Connection* conn = nullptr;
    bool writing = false;
    int depth = 0;
  };
  static TxContext& tx_context();

  template <class F>
  auto read(F&& f);
  // `notify` false: bookkeeping no listener cares about (see SqliteStore::write).
  template <class F>
  auto write(F&& f, bool notify = true, Isolation isolation = Isolation::Serializable);
  template <class F>
  auto transaction(const char* begin, bool writing, F&& f, std::int64_t& changed);

  // A connection of the pool, connected (again, if the server went away since).
  std::unique_ptr<Connection> take();
  void give_back(std::unique_ptr<Connection> conn);
  // Says once on stderr that the server went away, and once that it is back.
  void mark_available(bool available, const std::string& why = {});
  [[noreturn]] void rethrow(const pg::PgError& e);
  // The seam for changes made by other replicas: this slice only hears its own commits; a
  // LISTEN/NOTIFY listener will call this for the others' too.
  void notify_listeners();
  void migrate(Connection& c);

  struct Allocation {
    std::int64_t id = 0;
    core::Ipv6 address;
  };
  template <class AddressOf>
  Allocation allocate(Connection& c, const OrgRecord& org, std::uint32_t host, const char* kind,
                      AddressOf address_of);
  void release(Connection& c, std::int64_t allocation_id);

  std::string url_;
  RegionCatalog regions_;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;  // connections made and not dropped, idle or in use
  int capacity_;
  std::atomic<bool> available_{true};
  ChangeListeners changes_;
};

}  // namespace sixpn::server::store
