#include "server/store/store_copy.hpp"

#include <filesystem>

#include "server/store/pg_store.hpp"
#include "server/store/sqlite_store.hpp"

namespace sixpn::server::store {

namespace {
std::string quoted(const std::string& name) {
  return "\"" + name + "\"";
}

std::int64_t sqlite_count(sqlite::Connection& c, const std::string& table) {
  sqlite::Statement q(c, "SELECT count(*) FROM " + quoted(table));
  q.step();
  return q.int_at(0);
}

std::int64_t pg_count(pg::Connection& c, const std::string& table) {
  return c.query("SELECT count(*) FROM " + quoted(table)).int_at(0, 0);
}

int sqlite_schema_version(sqlite::Connection& c) {
  sqlite::Statement q(c, "SELECT max(version) FROM schema_version");
  return q.step() && !q.null_at(0) ? static_cast<int>(q.int_at(0)) : 0;
}

// Copies one table's rows, as they are: the same ids, so every reference stays right.
void copy_table(sqlite::Connection& from, pg::Connection& to, const std::string& table) {
  sqlite3_stmt* raw = nullptr;
  const std::string select = "SELECT * FROM " + quoted(table);
  if (sqlite3_prepare_v2(from.get(), select.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("reading ") + table + ": " + sqlite3_errmsg(from.get()));
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  const int columns = sqlite3_column_count(raw);
  std::string insert = "INSERT INTO " + quoted(table) + " (";
  std::string values;
  for (int i = 0; i < columns; ++i) {
    insert += (i > 0 ? ", " : "") + quoted(sqlite3_column_name(raw, i));
    values += (i > 0 ? ", $" : "$") + std::to_string(i + 1);
  }
  insert += ") VALUES (" + values + ")";
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    pg::Params params;
    for (int i = 0; i < columns; ++i) {
      switch (sqlite3_column_type(raw, i)) {
        case SQLITE_NULL:
          params.add_null();
          break;
        case SQLITE_INTEGER:
          params.add(static_cast<std::int64_t>(sqlite3_column_int64(raw, i)));
          break;
        case SQLITE_BLOB:
          params.add_bytes(sqlite3_column_blob(raw, i),
                           static_cast<std::size_t>(sqlite3_column_bytes(raw, i)));
          break;
        default:
          params.add(std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(raw, i)),
                                      static_cast<std::size_t>(sqlite3_column_bytes(raw, i))));
      }
    }
    to.query(insert, params);
  }
  if (rc != SQLITE_DONE) {
    throw std::runtime_error(std::string("reading ") + table + ": " + sqlite3_errmsg(from.get()));
  }
  // Identity columns continue after the copied ids (hosts and gateway_key have an id of
  // their own choosing, no sequence: setval of NULL does nothing).
  bool has_id = false;
  for (int i = 0; i < columns; ++i)
    has_id = has_id || std::string(sqlite3_column_name(raw, i)) == "id";
  if (has_id) {
    to.query(
        "SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce(max(id), 1), "
        "max(id) IS NOT NULL) FROM " +
            quoted(table),
        pg::Params().add(quoted(table)));
  }
}
}  // namespace

const std::vector<std::string>& store_tables() {
  static const std::vector<std::string> tables = {
      "orgs",        "tokens",         "token_orgs",       "apps",        "slot_counters",
      "allocations", "hosts",          "host_id_counter",  "join_tokens", "machines",
      "peers",       "ip_assignments", "idempotency_keys", "gateway_key", "machine_logs"};
  return tables;
}

std::vector<TableCount> copy_sqlite_to_pg(const std::string& sqlite_path,
                                          const std::string& pg_url) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(sqlite_path, ec)) {
    throw StoreError(StoreError::Kind::NotFound, "no SQLite database at " + sqlite_path);
  }
  // Opening each store brings it to the current schema, so both have the same tables.
  { SqliteStore(sqlite_path, RegionCatalog::builtin(), 1); }
  { PgStore(pg_url, RegionCatalog::builtin(), 1); }
  try {
    sqlite::Connection from(sqlite_path, false);
    pg::Connection to(pg_url);
    // One snapshot of the source, even with a sixpnd still writing to it.
    from.exec("BEGIN");
    to.exec("BEGIN ISOLATION LEVEL SERIALIZABLE");
    try {
      const int version = sqlite_schema_version(from);
      auto target_version = to.query("SELECT max(version) FROM schema_version").int_at(0, 0);
      if (target_version != version) {
        throw StoreError(StoreError::Kind::Invalid,
                         "the source's schema version " + std::to_string(version) +
                             " is not the target's " + std::to_string(target_version));
      }
      for (const auto& table : store_tables()) {
        if (auto rows = pg_count(to, table); rows > 0) {
          throw StoreError(StoreError::Kind::Conflict,
                           "the target database is not empty (" + table + " has " +
                               std::to_string(rows) +
                               " rows); migrate-store only fills an empty one");
        }
      }
      std::vector<TableCount> counts;
      for (const auto& table : store_tables()) {
        copy_table(from, to, table);
        const auto source = sqlite_count(from, table);
        const auto copied = pg_count(to, table);
        if (source != copied) {
          throw StoreError(StoreError::Kind::Invalid,
                           table + ": " + std::to_string(source) + " rows in the source but " +
                               std::to_string(copied) + " copied; nothing was kept");
        }
        counts.push_back({table, copied});
      }
      to.exec("COMMIT");
      from.exec("COMMIT");
      return counts;
    } catch (...) {
      if (to.ok()) {
        try {
          to.exec("ROLLBACK");
        } catch (...) {
        }
      }
      try {
        from.exec("ROLLBACK");
      } catch (...) {
      }
      throw;
    }
  } catch (const pg::PgError& e) {
    throw StoreError(e.is_unavailable() ? StoreError::Kind::Unavailable : StoreError::Kind::Invalid,
                     std::string("copying to ") + pg::mask_url(pg_url) + ": " + e.what());
  } catch (const sqlite::SqliteError& e) {
    throw StoreError(StoreError::Kind::Unavailable, "reading " + sqlite_path + ": " + e.what());
  }
}

}  // namespace sixpn::server::store
