#pragma once
// Internal to the SQLite store: the transaction templates and the row readers its files share.
#include <string>
#include <utility>

#include "server/store/sqlite_store.hpp"
#include "server/store/store_sql.hpp"
#include "server/store/tx_scope.hpp"

namespace sixpn::server::store {

// SQLite's errors in the store's terms: a busy database is worth a retry (503), a UNIQUE
// violation that slipped past the explicit checks is still a conflict, anything else is a bug.
[[noreturn]] void rethrow_sqlite(const sqlite::SqliteError& e);

template <class F>
auto SqliteStore::read(F&& f) {
  TxContext& tx = tx_context();
  if (tx.store == this) return f(*tx.conn);  // joins the open transaction
  auto conn = take_reader();
  struct Return {
    SqliteStore* self;
    std::unique_ptr<Connection>& conn;
    ~Return() { self->return_reader(std::move(conn)); }
  } give_back{this, conn};
  TxScopeGuard scope(tx, this, conn.get(), false);
  try {
    // One read transaction, so a multi-statement read sees one consistent state. run(), not
    // exec(): BEGIN and COMMIT come from the statement cache instead of being parsed each time.
    conn->run("BEGIN");
    auto result = f(*conn);
    conn->run("COMMIT");
    return result;
  } catch (const sqlite::SqliteError& e) {
    try {
      conn->run("ROLLBACK");
    } catch (...) {
    }
    rethrow_sqlite(e);
  } catch (...) {
    try {
      conn->run("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

template <class F>
auto SqliteStore::write(F&& f, bool notify) {
  TxContext& tx = tx_context();
  if (tx.store == this) {
    if (!tx.writing) throw std::logic_error("a write cannot join a read transaction");
    // Nested: a savepoint, so a failed inner step leaves the outer transaction usable.
    std::string name = "nested" + std::to_string(++tx.depth);
    tx.conn->exec(("SAVEPOINT " + name).c_str());
    try {
      auto result = f(*tx.conn);
      tx.conn->exec(("RELEASE " + name).c_str());
      --tx.depth;
      return result;
    } catch (...) {
      tx.conn->exec(("ROLLBACK TO " + name).c_str());
      tx.conn->exec(("RELEASE " + name).c_str());
      --tx.depth;
      throw;
    }
  }
  long long changed = 0;
  auto result = [&] {
    std::lock_guard lock(write_mu_);
    TxScopeGuard scope(tx, this, writer_.get(), true);
    auto before = writer_->total_changes();
    try {
      writer_->run("BEGIN IMMEDIATE");
      auto r = f(*writer_);
      writer_->run("COMMIT");
      changed = writer_->total_changes() - before;
      return r;
    } catch (const sqlite::SqliteError& e) {
      try {
        writer_->run("ROLLBACK");
      } catch (...) {
      }
      rethrow_sqlite(e);
    } catch (...) {
      try {
        writer_->run("ROLLBACK");
      } catch (...) {
      }
      throw;
    }
  }();
  // Listeners run after the commit and outside the lock: they may read the store.
  if (changed > 0 && notify) notify_listeners();
  return result;
}

template <class AddressOf>
SqliteStore::Allocation SqliteStore::allocate(Connection& c, const OrgRecord& org,
                                              std::uint32_t host, const char* kind,
                                              AddressOf address_of) {
  // A counter row per (org, host) that only ever grows: a released slot is never drawn again.
  // An address already taken by some other row (only possible if the database was edited by
  // hand) is skipped rather than failed, a bounded number of times.
  for (int attempt = 0; attempt < 64; ++attempt) {
    sqlite::Statement next(c,
                           "INSERT INTO slot_counters (org_id, host, next_slot) VALUES (?1, ?2, 1) "
                           "ON CONFLICT (org_id, host) DO UPDATE SET next_slot = next_slot + 1 "
                           "RETURNING next_slot - 1");
    next.bind(1, org.id).bind(2, static_cast<std::int64_t>(host));
    if (!next.step()) throw std::runtime_error("slot counter returned no row");
    auto slot = static_cast<std::uint64_t>(next.int_at(0));
    core::Ipv6 address;
    try {
      address = address_of(slot);
    } catch (const std::out_of_range&) {
      throw StoreError(StoreError::Kind::Exhausted,
                       std::string("no ") + kind + " addresses are left in org " + org.slug);
    }
    sqlite::Statement ins(c,
                          "INSERT INTO allocations (address, org_id, kind, created_at) "
                          "VALUES (?1, ?2, ?3, ?4)");
    ins.bind_blob(1, address.bytes.data(), address.bytes.size())
        .bind(2, org.id)
        .bind(3, std::string_view(kind))
        .bind(4, now_rfc3339());
    try {
      ins.run();
      return Allocation{c.last_insert_rowid(), address};
    } catch (const sqlite::SqliteError& e) {
      if (!e.is_unique_violation()) throw;
    }
  }
  throw StoreError(StoreError::Kind::Exhausted,
                   std::string("could not find a free ") + kind + " address in org " + org.slug);
}

// Reads up to limit + 1 rows: the extra one only says that another page follows.
template <class T, class RowFn>
PageResult<T> collect_page(sqlite::Statement& q, int limit, RowFn row) {
  PageResult<T> out;
  while (q.step()) out.items.push_back(row(q));
  if (static_cast<int>(out.items.size()) > limit) {
    out.items.pop_back();
    out.more = true;
  }
  return out;
}

// Row readers shared by the store's files.
core::Ipv6 ipv6_from_blob(const std::string& blob);
OrgRecord org_from_row(const sqlite::Statement& s,
                       int first);  // id, slug, name, network_id, created_at
std::optional<OrgRecord> org_by_slug(sqlite::Connection& c, std::string_view slug);
std::optional<std::string> optional_text(const sqlite::Statement& q, int column);
// The RFC 3339 stamp kHostLiveSeconds ago: a host seen after it is live.
std::string host_live_cutoff();

}  // namespace sixpn::server::store
