#pragma once
// The store's contract suites run on both stores: each test gets a fresh database of the
// backend its parameter names, dropped afterwards.
// - SQLite: a file in a temporary directory.
// - PostgreSQL: a database of its own (CREATE DATABASE) on the server whose URL is in
//   SIXPN_TEST_PG_URL, which ctest's `postgres` fixture starts (scripts/pg_test_server.sh).
//   Without it the test fails, loudly: the PostgreSQL half of the contract is never skipped.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "server/store/open_store.hpp"
#include "server/store/pg_db.hpp"
#include "server/store/pg_schema.hpp"
#include "server/store/sqlite_schema.hpp"
#include "tests/unit/server/temp_db.hpp"

namespace sixpn::server::testing {

enum class Backend { Sqlite, Postgres };

// What gtest prints for a parameter, instead of the enum's bytes.
inline void PrintTo(Backend backend, std::ostream* out) {
  *out << (backend == Backend::Sqlite ? "sqlite" : "postgres");
}

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::Sqlite ? "sqlite" : "postgres";
}

#define SIXPN_BOTH_STORES(Suite)                                                           \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                                \
                           ::testing::Values(::sixpn::server::testing::Backend::Sqlite,    \
                                             ::sixpn::server::testing::Backend::Postgres), \
                           ::sixpn::server::testing::backend_name)

class StoreDb {
 public:
  explicit StoreDb(Backend backend) : backend_(backend) {
    if (backend_ == Backend::Sqlite) {
      db_ = file_.path();
      return;
    }
    const char* admin = std::getenv("SIXPN_TEST_PG_URL");
    if (admin == nullptr || *admin == '\0') {
      throw std::runtime_error(
          "SIXPN_TEST_PG_URL is not set: run the store tests through ctest, whose postgres "
          "fixture starts a server (scripts/pg_test_server.sh start DIR prints a URL)");
    }
    admin_ = admin;
    std::random_device rd;
    name_ = "sixpn_test_" + std::to_string(rd()) + "_" + std::to_string(rd());
    store::pg::Connection(admin_).exec("CREATE DATABASE " + name_);
    db_ = with_database(admin_, name_);
  }
  ~StoreDb() {
    if (backend_ != Backend::Postgres) return;
    try {
      store::pg::Connection(admin_).exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "could not drop " << name_ << ": " << e.what();
    }
  }
  StoreDb(const StoreDb&) = delete;
  StoreDb& operator=(const StoreDb&) = delete;

  Backend backend() const { return backend_; }
  // What --db would be: the SQLite file or the PostgreSQL URL.
  const std::string& db() const { return db_; }
  std::unique_ptr<store::Store> open(const RegionCatalog& regions) const {
    return store::open_store(db_, regions);
  }
  const std::vector<store::Migration>& migrations() const {
    return backend_ == Backend::Sqlite ? store::sqlite_migrations() : store::pg_migrations();
  }

  // PostgreSQL: runs SQL on the server's maintenance database, as its operator would;
  // `{db}` in it stands for this test's database.
  void admin(std::string sql) const {
    for (auto at = sql.find("{db}"); at != std::string::npos; at = sql.find("{db}")) {
      sql.replace(at, 4, name_);
    }
    store::pg::Connection(admin_).exec(sql);
  }

  // Runs SQL on the database directly, as another process (or an older sixpnd) would.
  void exec(const std::string& sql) const {
    if (backend_ == Backend::Postgres) {
      store::pg::Connection(db_).exec(sql);
      return;
    }
    sqlite3* raw = nullptr;
    if (sqlite3_open(db_.c_str(), &raw) != SQLITE_OK) throw std::runtime_error("cannot open");
    sqlite3_busy_timeout(raw, 2000);
    char* err = nullptr;
    int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err);
    std::string message = err != nullptr ? err : "";
    sqlite3_free(err);
    sqlite3_close(raw);
    if (rc != SQLITE_OK) throw std::runtime_error(message);
  }
  // The first column of the first row of a query, as an integer.
  std::int64_t scalar(const std::string& sql) const {
    if (backend_ == Backend::Postgres) {
      return store::pg::Connection(db_).query(sql).int_at(0, 0);
    }
    sqlite3* raw = nullptr;
    if (sqlite3_open(db_.c_str(), &raw) != SQLITE_OK) throw std::runtime_error("cannot open");
    sqlite3_stmt* stmt = nullptr;
    std::int64_t value = 0;
    bool ok = sqlite3_prepare_v2(raw, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
              sqlite3_step(stmt) == SQLITE_ROW;
    if (ok) value = sqlite3_column_int64(stmt, 0);
    std::string message = sqlite3_errmsg(raw);
    sqlite3_finalize(stmt);
    sqlite3_close(raw);
    if (!ok) throw std::runtime_error(message);
    return value;
  }
  // A literal of these bytes, in the backend's dialect.
  std::string blob(const void* data, std::size_t size) const {
    return blob_hex(store::pg::bytea_text(data, size).substr(2));
  }
  std::string blob_hex(const std::string& hex) const {
    return backend_ == Backend::Sqlite ? "x'" + hex + "'" : "'\\x" + hex + "'::bytea";
  }

 private:
  // The same server and options, another database: the URL's path is the database name.
  static std::string with_database(const std::string& url, const std::string& name) {
    auto authority = url.find("://");
    if (authority == std::string::npos) throw std::runtime_error("not a URL: " + url);
    auto path = url.find('/', authority + 3);
    auto query = url.find('?', authority + 3);
    std::string head = url.substr(0, path == std::string::npos ? query : path);
    std::string tail = query == std::string::npos ? "" : url.substr(query);
    return head + "/" + name + tail;
  }

  Backend backend_;
  TempDb file_;
  std::string admin_;
  std::string name_;
  std::string db_;
};

}  // namespace sixpn::server::testing
