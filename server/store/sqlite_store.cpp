// SqliteStore: opening, migrations, the connection pool, listeners, the gateway key and
// Idempotency-Key bookkeeping. Resources live in sqlite_orgs.cpp, sqlite_network.cpp and
// sqlite_feeds.cpp.
#include <sodium.h>

#include <cstdio>
#include <cstring>

#include "server/store/db_file.hpp"
#include "server/store/sqlite_schema.hpp"
#include "server/store/sqlite_tx.hpp"

namespace sixpn::server::store {

using sqlite::SqliteError;
using sqlite::Statement;

SqliteStore::TxContext& SqliteStore::tx_context() {
  thread_local TxContext context;
  return context;
}

void rethrow_sqlite(const SqliteError& e) {
  if (e.is_busy()) {
    throw StoreError(StoreError::Kind::Unavailable,
                     "the database is busy (another process holds it); retry shortly");
  }
  if (e.is_unique_violation()) {
    throw StoreError(StoreError::Kind::Conflict, "that resource already exists");
  }
  throw e;
}

core::Ipv6 ipv6_from_blob(const std::string& blob) {
  core::Ipv6 out;
  if (blob.size() != out.bytes.size()) throw std::runtime_error("stored address is not 16 bytes");
  std::memcpy(out.bytes.data(), blob.data(), out.bytes.size());
  return out;
}

OrgRecord org_from_row(const Statement& s, int first) {
  return OrgRecord{s.int_at(first), s.text_at(first + 1), s.text_at(first + 2),
                   static_cast<std::uint32_t>(s.int_at(first + 3)), s.text_at(first + 4)};
}

const OrgRecord* Principal::org(std::string_view slug) const {
  for (const auto& o : orgs) {
    if (o.slug == slug) return &o;
  }
  return nullptr;
}

const OrgRecord* Principal::org_by_id(std::int64_t id) const {
  for (const auto& o : orgs) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

SqliteStore::SqliteStore(const std::string& path, RegionCatalog regions, int readers)
    : path_(path), regions_(std::move(regions)) {
  if (auto warning = secure_database_file(path); !warning.empty()) {
    std::fprintf(stderr, "Warning: %s\n", warning.c_str());
  }
  try {
    writer_ = std::make_unique<Connection>(path, true);
    // WAL lets readers run beside the writer; FULL syncs the WAL on every commit, so an
    // address handed out survives a power cut and is never handed out twice.
    writer_->exec("PRAGMA journal_mode = WAL");
    writer_->exec("PRAGMA synchronous = FULL");
    migrate();
    for (int i = 0; i < readers; ++i) {
      auto conn = std::make_unique<Connection>(path, false);
      conn->exec("PRAGMA query_only = ON");
      readers_.push_back(std::move(conn));
    }
  } catch (const SqliteError& e) {
    throw StoreError(StoreError::Kind::Unavailable,
                     "cannot open database " + path + ": " + e.what());
  }
}

SqliteStore::~SqliteStore() = default;

void SqliteStore::migrate() {
  writer_->exec("BEGIN IMMEDIATE");
  try {
    writer_->exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    int current = 0;
    {
      Statement q(*writer_, "SELECT max(version) FROM schema_version");
      if (q.step() && !q.null_at(0)) current = static_cast<int>(q.int_at(0));
    }
    const auto& all = sqlite_migrations();
    int latest = all.empty() ? 0 : all.back().version;
    if (current > latest) {
      throw SqliteError(SQLITE_ERROR, "its schema version " + std::to_string(current) +
                                          " is newer than this sixpnd knows (" +
                                          std::to_string(latest) + ")");
    }
    for (const auto& m : all) {
      if (m.version <= current) continue;
      writer_->exec(m.sql);
      Statement(*writer_, "DELETE FROM schema_version").run();
      Statement(*writer_, "INSERT INTO schema_version (version) VALUES (?1)")
          .bind(1, std::int64_t{m.version})
          .run();
    }
    writer_->exec("COMMIT");
  } catch (...) {
    try {
      writer_->exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

int SqliteStore::schema_version() {
  return read([](Connection& c) {
    Statement q(c, "SELECT version FROM schema_version");
    return q.step() ? static_cast<int>(q.int_at(0)) : 0;
  });
}

std::unique_ptr<sqlite::Connection> SqliteStore::take_reader() {
  std::unique_lock lock(pool_mu_);
  pool_cv_.wait(lock, [&] { return !readers_.empty(); });
  auto conn = std::move(readers_.back());
  readers_.pop_back();
  return conn;
}

void SqliteStore::return_reader(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard lock(pool_mu_);
    readers_.push_back(std::move(conn));
  }
  pool_cv_.notify_one();
}

void SqliteStore::add_change_listener(std::function<void()> listener) {
  changes_.add(std::move(listener));
}

void SqliteStore::notify_listeners() {
  changes_.notify();
}

void SqliteStore::release(Connection& c, std::int64_t allocation_id) {
  Statement(c, "DELETE FROM allocations WHERE id = ?1").bind(1, allocation_id).run();
}

GatewayKeyPair SqliteStore::gateway_key() {
  return write([](Connection& c) {
    Statement q(c, "SELECT public_key, private_key FROM gateway_key WHERE id = 1");
    if (q.step()) {
      return GatewayKeyPair{q.text_at(0), core::SecretString(q.text_at(1))};
    }
    auto key = core::PrivateKey::generate();
    GatewayKeyPair pair{key.public_key().base64(), core::SecretString(key.base64())};
    Statement(c,
              "INSERT INTO gateway_key (id, private_key, public_key, created_at) "
              "VALUES (1, ?1, ?2, ?3)")
        .bind(1, pair.private_key.view())
        .bind(2, pair.public_key)
        .bind(3, now_rfc3339())
        .run();
    return pair;
  });
}

StoredResponse SqliteStore::idempotent(std::int64_t token_id, const std::string& key,
                                       const Sha256& fingerprint,
                                       const std::function<StoredResponse()>& create,
                                       bool& replayed) {
  return write([&](Connection& c) {
    Statement q(c,
                "SELECT fingerprint, status, body FROM idempotency_keys "
                "WHERE token_id = ?1 AND key = ?2");
    q.bind(1, token_id).bind(2, key);
    if (q.step()) {
      auto stored = q.blob_at(0);
      if (stored.size() != fingerprint.size() ||
          sodium_memcmp(stored.data(), fingerprint.data(), fingerprint.size()) != 0) {
        throw StoreError(StoreError::Kind::Invalid,
                         "this Idempotency-Key was already used for a different request",
                         "idempotency_key_reused");
      }
      replayed = true;
      return StoredResponse{static_cast<int>(q.int_at(1)), q.text_at(2)};
    }
    replayed = false;
    StoredResponse response = create();
    // Only successes are kept: a failed request created nothing, so running it again on a
    // retry is both safe and what the caller wants after fixing the cause.
    if (response.status >= 200 && response.status < 300) {
      auto now = now_rfc3339();
      Statement(c,
                "INSERT INTO idempotency_keys (token_id, key, fingerprint, status, body, "
                "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
          .bind(1, token_id)
          .bind(2, key)
          .bind_blob(3, fingerprint.data(), fingerprint.size())
          .bind(4, std::int64_t{response.status})
          .bind(5, response.body)
          .bind(6, now)
          .run();
      std::time_t day_ago = std::time(nullptr) - 24 * 3600;
      std::tm utc{};
      gmtime_r(&day_ago, &utc);
      char cutoff[32];
      std::strftime(cutoff, sizeof cutoff, "%Y-%m-%dT%H:%M:%SZ", &utc);
      Statement(c, "DELETE FROM idempotency_keys WHERE created_at < ?1")
          .bind(1, std::string_view(cutoff))
          .run();
    }
    return response;
  });
}

}  // namespace sixpn::server::store
