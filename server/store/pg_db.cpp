#include "server/store/pg_db.hpp"

#include <charconv>

namespace sixpn::server::store::pg {

namespace {
constexpr const char* kConnectionLost = "08006";

// libpq's messages end in a newline and may hold several lines (a hint, a DETAIL): one line,
// for a log or a one-line error.
std::string one_line(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  std::string out;
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] != '\n') {
      out.push_back(message[i]);
      continue;
    }
    while (i + 1 < message.size() && (message[i + 1] == '\t' || message[i + 1] == ' ')) ++i;
    out += "; ";
  }
  return out;
}

std::string error_of(const PGconn* conn) {
  return one_line(conn != nullptr ? PQerrorMessage(conn) : "out of memory");
}

// libpq's own messages may quote the connection string; never let a password through.
std::string masked(const std::string& message, const std::string& url) {
  if (url.empty()) return message;
  std::string out = message;
  auto safe = mask_url(url);
  for (auto at = out.find(url); at != std::string::npos; at = out.find(url, at + safe.size())) {
    out.replace(at, url.size(), safe);
  }
  return out;
}
}  // namespace

bool is_postgres_url(std::string_view db) {
  return db.rfind("postgres://", 0) == 0 || db.rfind("postgresql://", 0) == 0;
}

std::string mask_url(std::string_view url) {
  std::string out(url);
  // userinfo: scheme://user:password@host
  auto scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    auto authority = scheme_end + 3;
    auto at = out.find('@', authority);
    auto slash = out.find('/', authority);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      auto colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) {
        out.replace(colon + 1, at - colon - 1, "***");
      }
    }
  }
  // ?password=… or &password=…
  for (std::string key : {"?password=", "&password="}) {
    auto at = out.find(key);
    if (at == std::string::npos) continue;
    auto start = at + key.size();
    auto end = out.find('&', start);
    out.replace(start, (end == std::string::npos ? out.size() : end) - start, "***");
  }
  return out;
}

std::string bytea_text(const void* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + 2 * size);
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xf]);
  }
  return out;
}

std::string bytes_from_bytea_text(std::string_view text) {
  if (text.substr(0, 2) != "\\x" || text.size() % 2 != 0) {
    throw std::runtime_error("a bytea value is not in hex form");
  }
  std::string out;
  out.reserve(text.size() / 2 - 1);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + i + 2, value, 16);
    if (ec != std::errc() || end != text.data() + i + 2) {
      throw std::runtime_error("a bytea value is not in hex form");
    }
    out.push_back(static_cast<char>(value));
  }
  return out;
}

Params& Params::add(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}

Params& Params::add(std::string_view text) {
  values_.emplace_back(std::string(text));
  return *this;
}

Params& Params::add_bytes(const void* data, std::size_t size) {
  values_.emplace_back(bytea_text(data, size));
  return *this;
}

Params& Params::add_null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

std::string Result::text_at(int row, int column) const {
  return std::string(PQgetvalue(res_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(res_.get(), row, column)));
}

std::optional<std::string> Result::optional_text(int row, int column) const {
  if (null_at(row, column)) return std::nullopt;
  return text_at(row, column);
}

std::int64_t Result::int_at(int row, int column) const {
  const char* text = PQgetvalue(res_.get(), row, column);
  std::int64_t value = 0;
  auto len = static_cast<std::size_t>(PQgetlength(res_.get(), row, column));
  auto [end, ec] = std::from_chars(text, text + len, value);
  if (ec != std::errc() || end != text + len) {
    throw std::runtime_error(std::string("not an integer: ") + PQfname(res_.get(), column));
  }
  return value;
}

std::string Result::bytes_at(int row, int column) const {
  return bytes_from_bytea_text(text_at(row, column));
}

std::int64_t Result::affected() const {
  const char* n = PQcmdTuples(res_.get());
  if (n == nullptr || *n == '\0') return 0;
  std::string_view status = PQcmdStatus(res_.get());
  if (status.rfind("INSERT", 0) != 0 && status.rfind("UPDATE", 0) != 0 &&
      status.rfind("DELETE", 0) != 0) {
    return 0;
  }
  return std::strtoll(n, nullptr, 10);
}

Connection::Connection(const std::string& url) : url_(url) {
  reset();
}

void Connection::reset() {
  // A bounded connect: an unreachable server must fail the request (503), not hang it. A
  // connect_timeout in the URL itself wins: expanded dbname values override earlier keywords.
  const char* keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"5", url_.c_str(), nullptr};
  conn_.reset(PQconnectdbParams(keywords, values, 1));
  if (!ok()) {
    throw PgError(kConnectionLost, masked(error_of(conn_.get()), url_));
  }
  // Only warnings would come back as notices; they are not worth a line on stderr each.
  PQsetNoticeProcessor(
      conn_.get(), [](void*, const char*) {}, nullptr);
}

Result Connection::check(PGresult* raw) {
  Result result(raw);
  auto status = PQresultStatus(raw);
  if (raw != nullptr && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)) {
    changes_ += result.affected();
    return result;
  }
  const char* state = raw != nullptr ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = raw != nullptr ? PQresultErrorMessage(raw) : "";
  message = message.empty() ? error_of(conn_.get()) : one_line(message);
  if (state == nullptr || !ok()) {
    throw PgError(kConnectionLost, "lost the connection to PostgreSQL: " + masked(message, url_));
  }
  throw PgError(state, masked(message, url_));
}

void Connection::exec(const std::string& sql) {
  check(PQexec(conn_.get(), sql.c_str()));
}

Result Connection::query(const std::string& sql, const Params& params) {
  auto values = params.pointers();
  return check(PQexecParams(conn_.get(), sql.c_str(), params.size(), nullptr,
                            values.empty() ? nullptr : values.data(), nullptr, nullptr, 0));
}

}  // namespace sixpn::server::store::pg
