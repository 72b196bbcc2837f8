// PgStore: connecting, migrations, the connection pool, errors, listeners, the gateway key and
// Idempotency-Key bookkeeping. Resources live in pg_orgs.cpp, pg_tokens.cpp, pg_network.cpp,
// pg_machines.cpp, pg_hosts.cpp, pg_logs.cpp and pg_feeds.cpp.
#include <sodium.h>

#include <cstdio>

#include "server/store/pg_schema.hpp"
#include "server/store/pg_tx.hpp"

namespace sixpn::server::store {

using pg::Params;
using pg::PgError;

PgStore::TxContext& PgStore::tx_context() {
  thread_local TxContext context;
  return context;
}

OrgRecord pg_org_from_row(const pg::Result& r, int row, int first) {
  return OrgRecord{r.int_at(row, first), r.text_at(row, first + 1), r.text_at(row, first + 2),
                   static_cast<std::uint32_t>(r.int_at(row, first + 3)), r.text_at(row, first + 4)};
}

std::optional<OrgRecord> pg_org_by_slug(pg::Connection& c, std::string_view slug) {
  auto r =
      c.query(std::string("SELECT ") + kOrgColumns + " FROM orgs o WHERE lower(o.slug) = lower($1)",
              Params().add(slug));
  if (r.empty()) return std::nullopt;
  return pg_org_from_row(r, 0, 0);
}

std::string pg_id_array(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ",";
    out += std::to_string(ids[i]);
  }
  return out + "}";
}

PgStore::PgStore(const std::string& url, RegionCatalog regions, int connections)
    : url_(url), regions_(std::move(regions)), capacity_(std::max(1, connections)) {
  try {
    auto conn = std::make_unique<Connection>(url_);
    ++open_;
    migrate(*conn);
    give_back(std::move(conn));
  } catch (const PgError& e) {
    throw StoreError(StoreError::Kind::Unavailable,
                     "cannot open database " + pg::mask_url(url_) + ": " + e.what());
  }
}

PgStore::~PgStore() = default;

void PgStore::migrate(Connection& c) {
  c.exec("BEGIN ISOLATION LEVEL READ COMMITTED");
  try {
    // First the lock: a second replica starting now waits here, then sees the first one's
    // schema (each statement of READ COMMITTED sees what was committed before it began).
    c.query("SELECT pg_advisory_xact_lock($1)", Params().add(std::int64_t{kMigrationLockKey}));
    c.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    auto r = c.query("SELECT max(version) FROM schema_version");
    const int current = r.null_at(0, 0) ? 0 : static_cast<int>(r.int_at(0, 0));
    const auto& all = pg_migrations();
    const int latest = all.empty() ? 0 : all.back().version;
    if (current > latest) {
      throw PgError("XX000", "its schema version " + std::to_string(current) +
                                 " is newer than this sixpnd knows (" + std::to_string(latest) +
                                 ")");
    }
    for (const auto& m : all) {
      if (m.version <= current) continue;
      c.exec(m.sql);
      c.exec("DELETE FROM schema_version");
      c.query("INSERT INTO schema_version (version) VALUES ($1)",
              Params().add(std::int64_t{m.version}));
    }
    c.exec("COMMIT");
  } catch (...) {
    pg_rollback(c);
    throw;
  }
}

int PgStore::schema_version() {
  return read([](Connection& c) {
    auto r = c.query("SELECT version FROM schema_version");
    return r.empty() ? 0 : static_cast<int>(r.int_at(0, 0));
  });
}

std::unique_ptr<pg::Connection> PgStore::take() {
  std::unique_ptr<Connection> conn;
  {
    std::unique_lock lock(pool_mu_);
    pool_cv_.wait(lock, [&] { return !idle_.empty() || open_ < capacity_; });
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++open_;  // a slot, filled below outside the lock
    }
  }
  try {
    if (!conn) {
      conn = std::make_unique<Connection>(url_);
    } else if (!conn->ok()) {
      conn->reset();
    }
  } catch (const PgError& e) {
    if (!conn) {
      std::lock_guard lock(pool_mu_);
      --open_;
    } else {
      give_back(std::move(conn));  // kept, to be connected again by the next call
    }
    pool_cv_.notify_one();
    rethrow(e);
  }
  return conn;
}

void PgStore::give_back(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard lock(pool_mu_);
    idle_.push_back(std::move(conn));
  }
  pool_cv_.notify_one();
}

void PgStore::mark_available(bool available, const std::string& why) {
  if (available_.exchange(available) == available) return;
  if (available) {
    std::fprintf(stderr, "%s sixpnd: PostgreSQL at %s answers again\n", now_rfc3339().c_str(),
                 pg::mask_url(url_).c_str());
  } else {
    std::fprintf(stderr,
                 "%s sixpnd: PostgreSQL at %s is unreachable (%s); requests get 503 until it "
                 "is back\n",
                 now_rfc3339().c_str(), pg::mask_url(url_).c_str(), why.c_str());
  }
}

void PgStore::rethrow(const PgError& e) {
  if (e.is_unavailable()) {
    mark_available(false, e.what());
    throw StoreError(StoreError::Kind::Unavailable, "the database is unreachable; retry shortly");
  }
  if (e.is_retryable()) {
    throw StoreError(StoreError::Kind::Unavailable,
                     "the database is too busy with conflicting changes; retry shortly");
  }
  if (e.is_unique_violation()) {
    throw StoreError(StoreError::Kind::Conflict, "that resource already exists");
  }
  throw e;
}

void PgStore::add_change_listener(std::function<void()> listener) {
  changes_.add(std::move(listener));
}

void PgStore::notify_listeners() {
  changes_.notify();
}

void PgStore::release(Connection& c, std::int64_t allocation_id) {
  c.query("DELETE FROM allocations WHERE id = $1", Params().add(allocation_id));
}

GatewayKeyPair PgStore::gateway_key() {
  auto stored = [](Connection& c) -> std::optional<GatewayKeyPair> {
    auto r = c.query("SELECT public_key, private_key FROM gateway_key WHERE id = 1");
    if (r.empty()) return std::nullopt;
    return GatewayKeyPair{r.text_at(0, 0), core::SecretString(r.text_at(0, 1))};
  };
  if (auto pair = read(stored)) return std::move(*pair);
  return write(
      [&](Connection& c) {
        // Two replicas' first starts may race: the key that was inserted first is everyone's.
        auto key = core::PrivateKey::generate();
        c.query(
            "INSERT INTO gateway_key (id, private_key, public_key, created_at) "
            "VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING",
            Params().add(key.base64()).add(key.public_key().base64()).add(now_rfc3339()));
        return std::move(*stored(c));
      },
      true, Isolation::ReadCommitted);
}

StoredResponse PgStore::idempotent(std::int64_t token_id, const std::string& key,
                                   const Sha256& fingerprint,
                                   const std::function<StoredResponse()>& create, bool& replayed) {
  // Concurrent duplicates (from this replica or another) serialise on a lock of the key: the
  // second waits for the first's commit, then finds its response. READ COMMITTED, so that the
  // statement after the lock sees that commit; the create inside joins this transaction.
  return write(
      [&](Connection& c) {
        c.query("SELECT pg_advisory_xact_lock($1::int, hashtext($2))",
                Params().add(token_id).add(key));
        auto q = c.query(
            "SELECT fingerprint, status, body FROM idempotency_keys "
            "WHERE token_id = $1 AND key = $2",
            Params().add(token_id).add(key));
        if (!q.empty()) {
          auto stored = q.bytes_at(0, 0);
          if (stored.size() != fingerprint.size() ||
              sodium_memcmp(stored.data(), fingerprint.data(), fingerprint.size()) != 0) {
            throw StoreError(StoreError::Kind::Invalid,
                             "this Idempotency-Key was already used for a different request",
                             "idempotency_key_reused");
          }
          replayed = true;
          return StoredResponse{static_cast<int>(q.int_at(0, 1)), q.text_at(0, 2)};
        }
        replayed = false;
        StoredResponse response = create();
        // Only successes are kept (see SqliteStore::idempotent).
        if (response.status >= 200 && response.status < 300) {
          c.query(
              "INSERT INTO idempotency_keys (token_id, key, fingerprint, status, body, "
              "created_at) VALUES ($1, $2, $3, $4, $5, $6)",
              Params()
                  .add(token_id)
                  .add(key)
                  .add_bytes(fingerprint.data(), fingerprint.size())
                  .add(std::int64_t{response.status})
                  .add(response.body)
                  .add(now_rfc3339()));
          c.query("DELETE FROM idempotency_keys WHERE created_at < $1",
                  Params().add(rfc3339(std::time(nullptr) - 24 * 3600)));
        }
        return response;
      },
      true, Isolation::ReadCommitted);
}

}  // namespace sixpn::server::store
