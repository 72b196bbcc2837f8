#pragma once
// Thin RAII wrappers over the sqlite3 C API: a connection and a prepared statement. Every
// failure becomes a SqliteError carrying SQLite's extended result code and message.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sixpn::server::store::sqlite {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }  // extended result code, e.g. SQLITE_CONSTRAINT_UNIQUE
  bool is_unique_violation() const {
    return code_ == SQLITE_CONSTRAINT_UNIQUE || code_ == SQLITE_CONSTRAINT_PRIMARYKEY;
  }
  bool is_busy() const { return (code_ & 0xff) == SQLITE_BUSY || (code_ & 0xff) == SQLITE_LOCKED; }

 private:
  int code_;
};

class Connection {
 public:
  // Opens (creating if `create`) and applies the per-connection settings: foreign keys on,
  // a busy timeout so another process's writer is waited for rather than failed.
  Connection(const std::string& path, bool create);
  sqlite3* get() const { return db_.get(); }
  void exec(const char* sql);
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
  std::int64_t total_changes() const { return sqlite3_total_changes64(db_.get()); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Closer> db_;
};

class Statement {
 public:
  Statement(const Connection& conn, std::string_view sql);

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, const void* data, std::size_t size);
  Statement& bind_null(int index);

  // Advances; true while a row is available.
  bool step();
  // Steps to completion for statements that return no rows.
  void run();

  std::int64_t int_at(int column) const;
  std::string text_at(int column) const;
  std::string blob_at(int column) const;
  bool null_at(int column) const;

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

}  // namespace sixpn::server::store::sqlite
