#pragma once
// Thin RAII wrappers over libpq: a connection, a result, and the parameters of one statement,
// every value sent as text through PQexecParams. Every failure becomes a PgError carrying the
// server's SQLSTATE, or "08006" when the connection itself is gone.
#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sixpn::server::store::pg {

class PgError : public std::runtime_error {
 public:
  PgError(std::string sqlstate, const std::string& message)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  bool is_unique_violation() const { return sqlstate_ == "23505"; }
  // Worth running the whole transaction again: it was chosen as the victim of a conflict.
  bool is_retryable() const { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }
  // The server is away (class 08: connection exceptions; 57P01-57P03: shutting down, crashed,
  // starting up): not the request's fault, and over once the server is back.
  bool is_unavailable() const {
    return sqlstate_.rfind("08", 0) == 0 || sqlstate_ == "57P01" || sqlstate_ == "57P02" ||
           sqlstate_ == "57P03" || sqlstate_ == "53300";
  }

 private:
  std::string sqlstate_;
};

// `url` with its password, if any, replaced by "***": what every message shows.
std::string mask_url(std::string_view url);
// True for a --db value that names a PostgreSQL database rather than a SQLite file.
bool is_postgres_url(std::string_view db);

// bytea in text form: "\x" and two hex digits per byte.
std::string bytea_text(const void* data, std::size_t size);
std::string bytes_from_bytea_text(std::string_view text);

class Params {
 public:
  Params& add(std::int64_t value);
  Params& add(std::string_view text);
  Params& add_bytes(const void* data, std::size_t size);
  Params& add_null();
  template <class T>
  Params& add_optional(const std::optional<T>& value) {
    return value ? add(*value) : add_null();
  }
  int size() const { return static_cast<int>(values_.size()); }
  std::vector<const char*> pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

class Result {
 public:
  explicit Result(PGresult* raw) : res_(raw) {}
  int rows() const { return PQntuples(res_.get()); }
  bool empty() const { return rows() == 0; }
  bool null_at(int row, int column) const { return PQgetisnull(res_.get(), row, column) != 0; }
  std::string text_at(int row, int column) const;
  std::optional<std::string> optional_text(int row, int column) const;
  std::int64_t int_at(int row, int column) const;
  std::string bytes_at(int row, int column) const;  // a bytea column's raw bytes
  bool bool_at(int row, int column) const { return text_at(row, column) == "t"; }
  std::int64_t affected() const;  // rows an INSERT, UPDATE or DELETE touched

 private:
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> res_;
};

class Connection {
 public:
  // Connects; throws PgError (unavailable) with libpq's reason, any password masked, when it
  // cannot.
  explicit Connection(const std::string& url);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool ok() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
  // Connects again after the server went away; throws like the constructor.
  void reset();
  // Any number of statements without parameters.
  void exec(const std::string& sql);
  // One statement, its values as text.
  Result query(const std::string& sql, const Params& params = {});
  // Rows INSERT, UPDATE and DELETE statements touched since the connection was made.
  std::int64_t total_changes() const { return changes_; }

 private:
  Result check(PGresult* raw);
  struct Finish {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  std::string url_;
  std::unique_ptr<PGconn, Finish> conn_;
  std::int64_t changes_ = 0;
};

}  // namespace sixpn::server::store::pg
