#pragma once
// Internal to the PostgreSQL store: the transaction templates and the row readers its files
// share.
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <utility>

#include "server/store/pg_store.hpp"
#include "server/store/store_sql.hpp"
#include "server/store/tx_scope.hpp"

namespace sixpn::server::store {

// How many times a transaction the server chose as a victim runs: contention that outlasts
// this many short, growing waits is overload, answered 503 so the client retries later.
inline constexpr int kPgMaxAttempts = 12;

// A random wait of up to 2^attempt ms (at most ~0.5 s), so that the victims of one conflict do
// not meet again at once.
inline void pg_backoff(int attempt) {
  thread_local std::mt19937 rng{std::random_device{}()};
  int ceiling_ms = 1 << std::min(attempt, 9);
  std::uniform_int_distribution<int> wait(ceiling_ms / 2, ceiling_ms);
  std::this_thread::sleep_for(std::chrono::microseconds(wait(rng) * 1000));
}

inline void pg_rollback(pg::Connection& c, const char* sql = "ROLLBACK") {
  if (!c.ok()) return;  // the server dropped the transaction with the connection
  try {
    c.exec(sql);
  } catch (...) {
  }
}

template <class F>
auto PgStore::transaction(const char* begin, bool writing, F&& f, std::int64_t& changed) {
  TxContext& tx = tx_context();
  for (int attempt = 1;; ++attempt) {
    auto conn = take();
    struct Return {
      PgStore* self;
      std::unique_ptr<Connection>& conn;
      ~Return() { self->give_back(std::move(conn)); }
    } give_back_on_exit{this, conn};
    TxScopeGuard scope(tx, this, conn.get(), writing);
    bool began = false;
    try {
      const auto before = conn->total_changes();
      conn->exec(begin);
      began = true;
      auto result = f(*conn);
      conn->exec("COMMIT");
      changed = conn->total_changes() - before;
      mark_available(true);
      return result;
    } catch (const pg::PgError& e) {
      pg_rollback(*conn);
      if (e.is_retryable() && attempt < kPgMaxAttempts) {
        pg_backoff(attempt);
        continue;
      }
      // A pooled connection the server dropped meanwhile (a restart) fails its first BEGIN:
      // nothing was sent, so once more on a fresh connection.
      if (!began && e.is_unavailable() && attempt == 1) continue;
      rethrow(e);
    } catch (...) {
      pg_rollback(*conn);
      throw;
    }
  }
}

template <class F>
auto PgStore::read(F&& f) {
  TxContext& tx = tx_context();
  if (tx.store == this) return f(*tx.conn);  // joins the open transaction
  std::int64_t changed = 0;
  return transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", false, std::forward<F>(f),
                     changed);
}

template <class F>
auto PgStore::write(F&& f, bool notify, Isolation isolation) {
  TxContext& tx = tx_context();
  if (tx.store == this) {
    if (!tx.writing) throw std::logic_error("a write cannot join a read transaction");
    // Nested: a savepoint, so a failed inner step leaves the outer transaction usable.
    std::string name = "nested" + std::to_string(++tx.depth);
    tx.conn->exec("SAVEPOINT " + name);
    try {
      auto result = f(*tx.conn);
      tx.conn->exec("RELEASE " + name);
      --tx.depth;
      return result;
    } catch (const pg::PgError& e) {
      pg_rollback(*tx.conn, ("ROLLBACK TO " + name).c_str());
      --tx.depth;
      // The outer transaction's to retry or fail; a constraint is this step's own answer.
      if (e.is_retryable() || e.is_unavailable()) throw;
      rethrow(e);
    } catch (...) {
      pg_rollback(*tx.conn, ("ROLLBACK TO " + name).c_str());
      --tx.depth;
      throw;
    }
  }
  std::int64_t changed = 0;
  auto result =
      transaction(isolation == Isolation::Serializable ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                                                       : "BEGIN ISOLATION LEVEL READ COMMITTED",
                  true, std::forward<F>(f), changed);
  // Listeners run after the commit: they may read the store.
  if (changed > 0 && notify) notify_listeners();
  return result;
}

template <class AddressOf>
PgStore::Allocation PgStore::allocate(Connection& c, const OrgRecord& org, std::uint32_t host,
                                      const char* kind, AddressOf address_of) {
  // As in the SQLite store: a counter per (org, host) that only grows, and an address taken by
  // some other row (only if the database was edited by hand) skipped, a bounded number of
  // times. The upsert locks the counter's row until commit, so concurrent creates in one org
  // take slots one after the other, at any isolation level and from any replica.
  for (int attempt = 0; attempt < 64; ++attempt) {
    auto next = c.query(
        "INSERT INTO slot_counters (org_id, host, next_slot) VALUES ($1, $2, 1) "
        "ON CONFLICT (org_id, host) DO UPDATE SET next_slot = slot_counters.next_slot + 1 "
        "RETURNING next_slot - 1",
        pg::Params().add(org.id).add(static_cast<std::int64_t>(host)));
    auto slot = static_cast<std::uint64_t>(next.int_at(0, 0));
    core::Ipv6 address;
    try {
      address = address_of(slot);
    } catch (const std::out_of_range&) {
      throw StoreError(StoreError::Kind::Exhausted,
                       std::string("no ") + kind + " addresses are left in org " + org.slug);
    }
    // ON CONFLICT DO NOTHING rather than catching the violation: an error would abort the
    // whole transaction.
    auto ins = c.query(
        "INSERT INTO allocations (address, org_id, kind, created_at) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (address) DO NOTHING RETURNING id",
        pg::Params()
            .add_bytes(address.bytes.data(), address.bytes.size())
            .add(org.id)
            .add(std::string_view(kind))
            .add(now_rfc3339()));
    if (!ins.empty()) return Allocation{ins.int_at(0, 0), address};
  }
  throw StoreError(StoreError::Kind::Exhausted,
                   std::string("could not find a free ") + kind + " address in org " + org.slug);
}

// Reads up to limit + 1 rows: the extra one only says that another page follows.
template <class T, class RowFn>
PageResult<T> pg_page(const pg::Result& r, int limit, RowFn row) {
  PageResult<T> out;
  for (int i = 0; i < r.rows(); ++i) out.items.push_back(row(r, i));
  if (static_cast<int>(out.items.size()) > limit) {
    out.items.pop_back();
    out.more = true;
  }
  return out;
}

// Row readers shared by the store's files.
core::Ipv6 ipv6_from_blob(const std::string& blob);  // sqlite_store.cpp: 16 bytes, both stores
std::string host_live_cutoff();                      // sqlite_hosts.cpp
OrgRecord pg_org_from_row(const pg::Result& r, int row, int first);
std::optional<OrgRecord> pg_org_by_slug(pg::Connection& c, std::string_view slug);
// A list of ids as a PostgreSQL array literal, for "= ANY($n::bigint[])".
std::string pg_id_array(const std::vector<std::int64_t>& ids);

}  // namespace sixpn::server::store
