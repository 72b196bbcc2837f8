#include <gtest/gtest.h>

#include <ctime>

#include "tests/unit/server/store_backends.hpp"

namespace sixpn::server::store {
namespace {

using testing::Backend;
using testing::StoreDb;

class StoreTokensTest : public ::testing::TestWithParam<Backend> {
 protected:
  StoreDb db{GetParam()};
  RegionCatalog regions = RegionCatalog::builtin();
  std::unique_ptr<Store> store = db.open(regions);

  void SetUp() override {
    store->create_org("a", "A");
    store->create_org("b", "B");
  }
  std::optional<TokenRecord> listed(std::int64_t id) {
    for (auto& t : store->list_tokens()) {
      if (t.id == id) return t;
    }
    return std::nullopt;
  }
};

TEST_P(StoreTokensTest, CreateKeepsNameOrgsAndExpiryAndNoUseYet) {
  auto t =
      store->create_token(sha256("sixpn_one"), NewToken{{"b", "a"}, "ci", "2099-01-01T00:00:00Z"});
  EXPECT_GT(t.id, 0);
  EXPECT_EQ(t.name, "ci");
  EXPECT_EQ(t.orgs, (std::vector<std::string>{"a", "b"}));  // in org order, not argument order
  EXPECT_EQ(t.expires_at, "2099-01-01T00:00:00Z");
  EXPECT_FALSE(t.last_used_at.has_value());
  EXPECT_EQ(t.created_at.size(), 20u);
  auto again = listed(t.id);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->name, "ci");
  EXPECT_EQ(again->orgs, t.orgs);
}

TEST_P(StoreTokensTest, ListHasEveryTokenInIdOrder) {
  auto first = store->create_token(sha256("x1"), NewToken{{"a"}, "", std::nullopt});
  auto second = store->create_token(sha256("x2"), NewToken{{"b"}, "second", std::nullopt});
  auto all = store->list_tokens();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, first.id);
  EXPECT_EQ(all[0].name, "");
  EXPECT_FALSE(all[0].expires_at.has_value());
  EXPECT_EQ(all[1].id, second.id);
  EXPECT_EQ(all[1].orgs, std::vector<std::string>{"b"});
}

TEST_P(StoreTokensTest, PrincipalCarriesTheTokensIdNameAndTimes) {
  auto hash = sha256("sixpn_me");
  auto t = store->create_token(hash, NewToken{{"a"}, "me", "2099-01-01T00:00:00Z"});
  auto p = store->principal_for(hash);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->token_id, t.id);
  EXPECT_EQ(p->token_name, "me");
  EXPECT_EQ(p->created_at, t.created_at);
  EXPECT_EQ(p->expires_at, "2099-01-01T00:00:00Z");
  ASSERT_EQ(p->orgs.size(), 1u);
  EXPECT_EQ(p->orgs[0].slug, "a");
}

TEST_P(StoreTokensTest, ExpiredTokenHasNoPrincipal) {
  auto past = sha256("sixpn_past");
  store->create_token(past, NewToken{{"a"}, "", rfc3339(std::time(nullptr) - 1)});
  EXPECT_FALSE(store->principal_for(past).has_value());
  // Still listed, so the operator sees it and can revoke it.
  EXPECT_EQ(store->list_tokens().size(), 1u);
  auto soon = sha256("sixpn_soon");
  store->create_token(soon, NewToken{{"a"}, "", rfc3339(std::time(nullptr) + 3600)});
  EXPECT_TRUE(store->principal_for(soon).has_value());
}

TEST_P(StoreTokensTest, RevokedTokenHasNoPrincipalAndItsKeptResponsesGo) {
  auto hash = sha256("sixpn_gone");
  auto t = store->create_token(hash, NewToken{{"a"}, "", std::nullopt});
  bool replayed = false;
  store->idempotent(
      t.id, "k1", sha256("req"),
      [] {
        return StoredResponse{201, "{}"};
      },
      replayed);
  store->revoke_token(t.id);
  EXPECT_FALSE(store->principal_for(hash).has_value());
  EXPECT_FALSE(listed(t.id).has_value());
  EXPECT_EQ(db.scalar("SELECT count(*) FROM idempotency_keys"), 0);
}

TEST_P(StoreTokensTest, RevokingAnUnknownIdIsNotFound) {
  try {
    store->revoke_token(4242);
    FAIL() << "expected NotFound";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::NotFound);
    EXPECT_STREQ(e.what(), "token 4242 does not exist");
  }
}

TEST_P(StoreTokensTest, LastUseIsRecordedAtMostOnceAMinute) {
  auto hash = sha256("sixpn_busy");
  auto t = store->create_token(hash, NewToken{{"a"}, "", std::nullopt});
  ASSERT_TRUE(store->principal_for(hash).has_value());
  auto first = listed(t.id)->last_used_at;
  ASSERT_TRUE(first.has_value());
  EXPECT_LE(*first, now_rfc3339());

  auto recent = rfc3339(std::time(nullptr) - 30);
  db.exec("UPDATE tokens SET last_used_at = '" + recent + "'");
  for (int i = 0; i < 5; ++i) store->principal_for(hash);
  EXPECT_EQ(listed(t.id)->last_used_at, recent);

  db.exec("UPDATE tokens SET last_used_at = '2020-01-01T00:00:00Z'");
  store->principal_for(hash);
  EXPECT_GT(*listed(t.id)->last_used_at, recent);
}

TEST_P(StoreTokensTest, RecordingALastUseWakesNoListener) {
  auto hash = sha256("sixpn_quiet");
  store->create_token(hash, NewToken{{"a"}, "", std::nullopt});
  int calls = 0;
  store->add_change_listener([&] { ++calls; });
  store->principal_for(hash);  // writes last_used_at
  EXPECT_EQ(calls, 0);
  store->create_org("c", "C");
  EXPECT_EQ(calls, 1);  // the listener does work
}

class StoreTokensUpgrade : public ::testing::TestWithParam<Backend> {
 protected:
  StoreDb db{GetParam()};
};

TEST_P(StoreTokensUpgrade, ADatabaseFromBeforeNamesUpgradesAndItsTokensKeepWorking) {
  // Schema version 2 as an older sixpnd left it, with one token.
  std::string sql = "CREATE TABLE schema_version (version INTEGER NOT NULL);";
  for (const auto& m : db.migrations()) {
    if (m.version <= 2) sql += m.sql;
  }
  sql +=
      "INSERT INTO schema_version VALUES (2);"
      "INSERT INTO orgs (slug, name, network_id, created_at) "
      "VALUES ('old', 'Old', 1, '2026-01-01T00:00:00Z');"
      "INSERT INTO tokens (sha256, created_at) VALUES (" +
      db.blob_hex(to_hex(sha256("sixpn_old").data(), 32)) +
      ", '2026-01-01T00:00:00Z');"
      "INSERT INTO token_orgs VALUES (1, 1);";
  db.exec(sql);
  auto store = db.open(RegionCatalog::builtin());
  EXPECT_EQ(db.scalar("SELECT max(version) FROM schema_version"), db.migrations().back().version);
  auto p = store->principal_for(sha256("sixpn_old"));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->token_name, "");
  EXPECT_FALSE(p->expires_at.has_value());
  auto all = store->list_tokens();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].orgs, std::vector<std::string>{"old"});
  EXPECT_EQ(all[0].created_at, "2026-01-01T00:00:00Z");
}

SIXPN_BOTH_STORES(StoreTokensTest);
SIXPN_BOTH_STORES(StoreTokensUpgrade);

}  // namespace
}  // namespace sixpn::server::store
