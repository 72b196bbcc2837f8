#include "server/store/sqlite_db.hpp"

namespace sixpn::server::store::sqlite {

namespace {
[[noreturn]] void fail(sqlite3* db, int rc, const std::string& what) {
  int code = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw SqliteError(code, what + ": " + msg);
}
}  // namespace

Connection::Connection(const std::string& path, bool create) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  db_.reset(raw);  // sqlite3_open_v2 may hand back a handle even when it fails
  if (rc != SQLITE_OK) {
    throw SqliteError(raw != nullptr ? sqlite3_extended_errcode(raw) : rc,
                      raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
  }
  sqlite3_extended_result_codes(raw, 1);
  // 5 s covers another process (sixpnd orgs create) holding the write lock briefly.
  sqlite3_busy_timeout(raw, 5000);
  exec("PRAGMA foreign_keys = ON");
}

void Connection::exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw SqliteError(sqlite3_extended_errcode(db_.get()), msg);
  }
}

Connection::~Connection() {
  for (auto& [sql, stmt] : idle_) sqlite3_finalize(stmt);
}

void Connection::run(std::string_view one_statement) { Statement(*this, one_statement).run(); }

sqlite3_stmt* Connection::take_prepared(const std::string& sql) const {
  if (auto it = idle_.find(sql); it != idle_.end()) {
    sqlite3_stmt* stmt = it->second;
    idle_.erase(it);
    return stmt;
  }
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) fail(db_.get(), rc, "prepare");  // nothing was prepared to finalize
  return raw;
}

void Connection::give_back(const std::string& sql, sqlite3_stmt* stmt) const {
  // Clean for the next user: no open read, no values left bound (reset's result only repeats
  // the last step's error, which the step already reported).
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  // The same text open twice at once (a nested use) leaves one spare: that one is finalized.
  if (!idle_.emplace(sql, stmt).second) sqlite3_finalize(stmt);
}

Statement::Statement(const Connection& conn, std::string_view sql)
    : conn_(conn), db_(conn.get()), sql_(sql), stmt_(conn.take_prepared(sql_)) {}

Statement::~Statement() { conn_.give_back(sql_, stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind_blob(int index, const void* data, std::size_t size) {
  int rc = sqlite3_bind_blob64(stmt_, index, data, size, SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, rc, "step");
}

void Statement::run() {
  while (step()) {
  }
}

std::int64_t Statement::int_at(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::text_at(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return p != nullptr ? std::string(reinterpret_cast<const char*>(p), n) : std::string();
}

std::string Statement::blob_at(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return p != nullptr ? std::string(static_cast<const char*>(p), n) : std::string();
}

bool Statement::null_at(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

}  // namespace sixpn::server::store::sqlite
