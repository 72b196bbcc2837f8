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
#include <unordered_map>

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
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  sqlite3* get() const { return db_.get(); }
  void exec(const char* sql);  // any number of statements, prepared for this call only
  void run(std::string_view one_statement);  // one statement, from the cache below
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
  std::int64_t total_changes() const { return sqlite3_total_changes64(db_.get()); }

 private:
  friend class Statement;
  // Prepared statements are kept per SQL text and used again: preparing was half of sixpnd's
  // instructions for a peer create (callgrind under bench/control_plane.sh). Every statement
  // binds its values, so the texts, and the cache, stay few. A connection serves one thread at
  // a time (a pooled reader or the locked writer), so the cache needs no lock of its own.
  sqlite3_stmt* take_prepared(const std::string& sql) const;
  void give_back(const std::string& sql, sqlite3_stmt* stmt) const;

  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Closer> db_;
  mutable std::unordered_map<std::string, sqlite3_stmt*> idle_;
};

class Statement {
 public:
  Statement(const Connection& conn, std::string_view sql);
  ~Statement();  // resets the statement and hands it back to the connection's cache
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

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
  const Connection& conn_;
  sqlite3* db_;
  std::string sql_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace sixpn::server::store::sqlite
