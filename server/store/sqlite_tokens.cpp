// SqliteStore: API tokens. Only a token's SHA-256 is kept; a revoked token's row is deleted.
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "server/store/sqlite_tx.hpp"

namespace sixpn::server::store {

using sqlite::Statement;

std::optional<std::string> optional_text(const Statement& q, int column) {
  if (q.null_at(column)) return std::nullopt;
  return q.text_at(column);
}

namespace {
// How stale last_used_at may get: recording every use would turn each authenticated request
// into a write (an fsync, under synchronous = FULL) and serialise them all on the writer.
constexpr std::time_t kLastUsedResolution = 60;

std::vector<TokenRecord> token_rows(sqlite::Connection& c, std::optional<std::int64_t> only) {
  // One row per token with its org slugs gathered in id order; json_group_array keeps the
  // slugs apart whatever characters they hold.
  Statement q(c,
              "SELECT t.id, t.name, t.created_at, t.expires_at, t.last_used_at, t.operator, "
              "(SELECT json_group_array(slug) FROM (SELECT o.slug FROM token_orgs g "
              "JOIN orgs o ON o.id = g.org_id WHERE g.token_id = t.id ORDER BY o.id)) "
              "FROM tokens t WHERE ?1 IS NULL OR t.id = ?1 ORDER BY t.id");
  if (only) {
    q.bind(1, *only);
  } else {
    q.bind_null(1);
  }
  std::vector<TokenRecord> out;
  while (q.step()) {
    TokenRecord t;
    t.id = q.int_at(0);
    t.name = q.text_at(1);
    t.created_at = q.text_at(2);
    t.expires_at = optional_text(q, 3);
    t.last_used_at = optional_text(q, 4);
    t.is_operator = q.int_at(5) != 0;
    t.orgs = nlohmann::json::parse(q.text_at(6)).get<std::vector<std::string>>();
    out.push_back(std::move(t));
  }
  return out;
}
}  // namespace

TokenRecord SqliteStore::create_token(const Sha256& token_hash, const NewToken& token) {
  if (token.is_operator && !token.org_slugs.empty()) {
    throw StoreError(StoreError::Kind::Invalid, "an operator token belongs to no org");
  }
  if (!token.is_operator && token.org_slugs.empty()) {
    throw StoreError(StoreError::Kind::Invalid, "a token needs at least one org");
  }
  return write([&](Connection& c) {
    std::vector<std::int64_t> org_ids;
    for (const auto& slug : token.org_slugs) {
      auto org = org_by_slug(c, slug);
      if (!org) throw StoreError(StoreError::Kind::NotFound, "org " + slug + " does not exist");
      org_ids.push_back(org->id);
    }
    Statement insert(c,
                     "INSERT INTO tokens (sha256, created_at, name, expires_at, operator) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind_blob(1, token_hash.data(), token_hash.size())
        .bind(2, now_rfc3339())
        .bind(3, token.name)
        .bind(5, std::int64_t{token.is_operator});
    if (token.expires_at) {
      insert.bind(4, *token.expires_at);
    } else {
      insert.bind_null(4);
    }
    insert.run();
    auto token_id = c.last_insert_rowid();
    for (auto id : org_ids) {
      Statement(c, "INSERT OR IGNORE INTO token_orgs (token_id, org_id) VALUES (?1, ?2)")
          .bind(1, token_id)
          .bind(2, id)
          .run();
    }
    return token_rows(c, token_id).at(0);
  });
}

std::optional<Principal> SqliteStore::principal_for(const Sha256& token_hash) {
  const std::time_t now = std::time(nullptr);
  const std::string now_text = rfc3339(now);
  const std::string cutoff = rfc3339(now - kLastUsedResolution);
  bool stale = false;
  auto principal = read([&](Connection& c) -> std::optional<Principal> {
    // The lookup is by the token's SHA-256, so its timing says nothing about the token; the
    // final comparison is constant-time all the same. RFC 3339 UTC stamps of one fixed width
    // compare as text in time order, so expiry is one comparison against the present.
    Statement q(c,
                "SELECT id, sha256, name, created_at, expires_at, last_used_at, operator FROM tokens "
                "WHERE sha256 = ?1 AND (expires_at IS NULL OR expires_at > ?2)");
    q.bind_blob(1, token_hash.data(), token_hash.size()).bind(2, now_text);
    if (!q.step()) return std::nullopt;
    auto stored = q.blob_at(1);
    if (stored.size() != token_hash.size() ||
        sodium_memcmp(stored.data(), token_hash.data(), token_hash.size()) != 0) {
      return std::nullopt;
    }
    Principal p;
    p.token_id = q.int_at(0);
    p.token_name = q.text_at(2);
    p.created_at = q.text_at(3);
    p.expires_at = optional_text(q, 4);
    stale = q.null_at(5) || q.text_at(5) <= cutoff;
    p.is_operator = q.int_at(6) != 0;
    Statement orgs(c, std::string("SELECT ") + kOrgColumns +
                          " FROM token_orgs t JOIN orgs o ON o.id = t.org_id "
                          "WHERE t.token_id = ?1 ORDER BY o.id");
    orgs.bind(1, p.token_id);
    while (orgs.step()) p.orgs.push_back(org_from_row(orgs, 0));
    return p;
  });
  if (principal && stale) {
    // Bookkeeping only: a busy database must not fail the request it came with. The condition
    // is checked again under the write lock, so when many requests of one token find it stale
    // at once only the first writes; the others commit an empty transaction, which syncs
    // nothing.
    try {
      write(
          [&](Connection& c) {
            Statement(c,
                      "UPDATE tokens SET last_used_at = ?1 WHERE id = ?2 AND "
                      "(last_used_at IS NULL OR last_used_at <= ?3)")
                .bind(1, now_text)
                .bind(2, principal->token_id)
                .bind(3, cutoff)
                .run();
            return true;
          },
          false);
    } catch (const std::exception&) {
    }
  }
  return principal;
}

std::vector<TokenRecord> SqliteStore::list_tokens() {
  return read([&](Connection& c) { return token_rows(c, std::nullopt); });
}

void SqliteStore::revoke_token(std::int64_t id) {
  write(
      [&](Connection& c) {
        Statement(c, "DELETE FROM tokens WHERE id = ?1").bind(1, id).run();
        if (sqlite3_changes(c.get()) == 0) {
          throw StoreError(StoreError::Kind::NotFound,
                           "token " + std::to_string(id) + " does not exist");
        }
        return true;
      },
      false);
}

}  // namespace sixpn::server::store
