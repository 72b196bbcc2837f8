#pragma once
// The embedded store: one SQLite file in WAL mode.
//
// Concurrency: one writer connection behind a mutex (SQLite allows one writer at a time anyway;
// waiting on a mutex wakes the next writer at once where busy_timeout would poll), and a small
// pool of reader connections that WAL lets run beside the writer. Every write is one
// BEGIN IMMEDIATE transaction; a write started inside another (an Idempotency-Key wrapping a
// create) joins it as a SAVEPOINT, so the key and what it created commit or vanish together.
// busy_timeout still covers a second process (the operator's `sixpnd orgs create`).
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/regions.hpp"
#include "server/store/change_listeners.hpp"
#include "server/store/sqlite_db.hpp"
#include "server/store/store.hpp"

namespace sixpn::server::store {

class SqliteStore final : public Store {
 public:
  // Opens or creates the database and applies pending migrations. Throws StoreError
  // (Unavailable) with one clear sentence when the file cannot be opened or is not a
  // sixpnd database.
  SqliteStore(const std::string& path, RegionCatalog regions, int readers = 4);
  ~SqliteStore() override;

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
  using Connection = sqlite::Connection;

  // Which connection this thread's open transaction uses, so nested calls join it.
  struct TxContext {
    const void* store = nullptr;
    Connection* conn = nullptr;
    bool writing = false;
    int depth = 0;
  };
  // A function rather than a thread_local data member: the templates that use it are
  // instantiated in several files, and UBSan's object-size check misreads a cross-file
  // thread_local member (reported as "insufficient space for an object of type TxContext").
  static TxContext& tx_context();

  template <class F>
  auto read(F&& f);
  // `notify` false: the change is bookkeeping no listener cares about (a token's last use),
  // so the DNS snapshot and the gateway are not rebuilt for it.
  template <class F>
  auto write(F&& f, bool notify = true);

  std::unique_ptr<Connection> take_reader();
  void return_reader(std::unique_ptr<Connection> conn);
  void notify_listeners();
  void migrate();

  struct Allocation {
    std::int64_t id = 0;
    core::Ipv6 address;
  };
  // Draws the next slot of (org, host) and inserts its address into `allocations`.
  template <class AddressOf>
  Allocation allocate(Connection& c, const OrgRecord& org, std::uint32_t host, const char* kind,
                      AddressOf address_of);
  void release(Connection& c, std::int64_t allocation_id);

  std::string path_;
  RegionCatalog regions_;
  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;
  ChangeListeners changes_;
};

}  // namespace sixpn::server::store
