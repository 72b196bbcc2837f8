// PgStore: API tokens. Only a token's SHA-256 is kept; a revoked token's row is deleted.
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "server/store/pg_tx.hpp"

namespace sixpn::server::store {

using pg::Params;

namespace {
// How stale last_used_at may get (see sqlite_tokens.cpp).
constexpr std::time_t kLastUsedResolution = 60;

std::vector<TokenRecord> token_rows(pg::Connection& c, std::optional<std::int64_t> only) {
  auto q = c.query(
      "SELECT t.id, t.name, t.created_at, t.expires_at, t.last_used_at, t.operator, "
      "(SELECT coalesce(json_agg(o.slug ORDER BY o.id), '[]') FROM token_orgs g "
      "JOIN orgs o ON o.id = g.org_id WHERE g.token_id = t.id) "
      "FROM tokens t WHERE $1::bigint IS NULL OR t.id = $1 ORDER BY t.id",
      Params().add_optional(only));
  std::vector<TokenRecord> out;
  for (int i = 0; i < q.rows(); ++i) {
    TokenRecord t;
    t.id = q.int_at(i, 0);
    t.name = q.text_at(i, 1);
    t.created_at = q.text_at(i, 2);
    t.expires_at = q.optional_text(i, 3);
    t.last_used_at = q.optional_text(i, 4);
    t.is_operator = q.int_at(i, 5) != 0;
    t.orgs = nlohmann::json::parse(q.text_at(i, 6)).get<std::vector<std::string>>();
    out.push_back(std::move(t));
  }
  return out;
}
}  // namespace

TokenRecord PgStore::create_token(const Sha256& token_hash, const NewToken& token) {
  if (token.is_operator && !token.org_slugs.empty()) {
    throw StoreError(StoreError::Kind::Invalid, "an operator token belongs to no org");
  }
  if (!token.is_operator && token.org_slugs.empty()) {
    throw StoreError(StoreError::Kind::Invalid, "a token needs at least one org");
  }
  return write([&](Connection& c) {
    std::vector<std::int64_t> org_ids;
    for (const auto& slug : token.org_slugs) {
      auto org = pg_org_by_slug(c, slug);
      if (!org) throw StoreError(StoreError::Kind::NotFound, "org " + slug + " does not exist");
      org_ids.push_back(org->id);
    }
    auto inserted = c.query(
        "INSERT INTO tokens (sha256, created_at, name, expires_at, operator) "
        "VALUES ($1, $2, $3, $4, $5) RETURNING id",
        Params()
            .add_bytes(token_hash.data(), token_hash.size())
            .add(now_rfc3339())
            .add(token.name)
            .add_optional(token.expires_at)
            .add(std::int64_t{token.is_operator}));
    auto token_id = inserted.int_at(0, 0);
    for (auto id : org_ids) {
      c.query("INSERT INTO token_orgs (token_id, org_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
              Params().add(token_id).add(id));
    }
    return token_rows(c, token_id).at(0);
  });
}

std::optional<Principal> PgStore::principal_for(const Sha256& token_hash) {
  const std::time_t now = std::time(nullptr);
  const std::string now_text = rfc3339(now);
  const std::string cutoff = rfc3339(now - kLastUsedResolution);
  bool stale = false;
  auto principal = read([&](Connection& c) -> std::optional<Principal> {
    auto q = c.query(
        "SELECT id, sha256, name, created_at, expires_at, last_used_at, operator FROM tokens "
        "WHERE sha256 = $1 AND (expires_at IS NULL OR expires_at > $2)",
        Params().add_bytes(token_hash.data(), token_hash.size()).add(now_text));
    if (q.empty()) return std::nullopt;
    auto stored = q.bytes_at(0, 1);
    if (stored.size() != token_hash.size() ||
        sodium_memcmp(stored.data(), token_hash.data(), token_hash.size()) != 0) {
      return std::nullopt;
    }
    Principal p;
    p.token_id = q.int_at(0, 0);
    p.token_name = q.text_at(0, 2);
    p.created_at = q.text_at(0, 3);
    p.expires_at = q.optional_text(0, 4);
    stale = q.null_at(0, 5) || q.text_at(0, 5) <= cutoff;
    p.is_operator = q.int_at(0, 6) != 0;
    auto orgs = c.query(std::string("SELECT ") + kOrgColumns +
                            " FROM token_orgs t JOIN orgs o ON o.id = t.org_id "
                            "WHERE t.token_id = $1 ORDER BY o.id",
                        Params().add(p.token_id));
    for (int i = 0; i < orgs.rows(); ++i) p.orgs.push_back(pg_org_from_row(orgs, i, 0));
    return p;
  });
  if (principal && stale) {
    // Bookkeeping only: an unavailable database must not fail the request it came with. The
    // condition is checked again in the UPDATE, so concurrent requests write it once.
    try {
      write(
          [&](Connection& c) {
            c.query(
                "UPDATE tokens SET last_used_at = $1 WHERE id = $2 AND "
                "(last_used_at IS NULL OR last_used_at <= $3)",
                Params().add(now_text).add(principal->token_id).add(cutoff));
            return true;
          },
          false, Isolation::ReadCommitted);
    } catch (const std::exception&) {
    }
  }
  return principal;
}

std::vector<TokenRecord> PgStore::list_tokens() {
  return read([&](Connection& c) { return token_rows(c, std::nullopt); });
}

void PgStore::revoke_token(std::int64_t id) {
  write(
      [&](Connection& c) {
        auto r = c.query("DELETE FROM tokens WHERE id = $1", Params().add(id));
        if (r.affected() == 0) {
          throw StoreError(StoreError::Kind::NotFound,
                           "token " + std::to_string(id) + " does not exist");
        }
        return true;
      },
      false);
}

}  // namespace sixpn::server::store
