// The store's contract, on both stores (store_backends.hpp): orgs, apps, peers, machines,
// Flycast addresses, pages, reopening.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "core/keys.hpp"
#include "server/store/pg_store.hpp"
#include "server/store/sqlite_store.hpp"
#include "server/store/store_copy.hpp"
#include "tests/unit/server/store_backends.hpp"

namespace sixpn::server::store {
namespace {

using testing::Backend;
using testing::StoreDb;
using testing::TempDb;

std::string fresh_pubkey() {
  return core::PrivateKey::generate().public_key().base64();
}

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  StoreDb db{GetParam()};
  RegionCatalog regions = RegionCatalog::builtin();
  std::unique_ptr<Store> store = db.open(regions);

  const RegionEntry& region(const char* code) { return *regions.find(code); }
  NewPeer peer(const std::string& name, const char* code = "ams") {
    return NewPeer{name, code, region(code).gateway_host, fresh_pubkey()};
  }
  NewMachine machine(const char* code = "fra") {
    NewMachine m;
    m.region = code;
    m.machine_host = region(code).machine_host;
    m.process_group = "app";
    return m;
  }
};

TEST_P(StoreTest, OrgsGetSequentialNetworkIdsFromOne) {
  EXPECT_EQ(store->create_org("a", "A").network_id, 1u);
  EXPECT_EQ(store->create_org("b", "B").network_id, 2u);
  EXPECT_EQ(store->find_org("b")->name, "B");
  EXPECT_FALSE(store->find_org("c").has_value());
}

TEST_P(StoreTest, DuplicateOrgSlugIsAConflict) {
  store->create_org("a", "A");
  try {
    store->create_org("a", "again");
    FAIL() << "expected a conflict";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::Conflict);
  }
}

TEST_P(StoreTest, TokenFindsItsOrgsByHashOnly) {
  store->create_org("a", "A");
  store->create_org("b", "B");
  store->create_org("c", "C");
  auto hash = sha256("sixpn_secret");
  store->create_token(hash, NewToken{{"a", "c"}, "", std::nullopt});
  auto p = store->principal_for(hash);
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->orgs.size(), 2u);
  EXPECT_NE(p->org("a"), nullptr);
  EXPECT_EQ(p->org("b"), nullptr);
  EXPECT_NE(p->org("c"), nullptr);
  EXPECT_FALSE(store->principal_for(sha256("sixpn_other")).has_value());
}

TEST_P(StoreTest, TokenForUnknownOrgIsNotFoundAndCreatesNothing) {
  store->create_org("a", "A");
  auto hash = sha256("t");
  EXPECT_THROW(store->create_token(hash, NewToken{{"a", "missing"}, "", std::nullopt}), StoreError);
  EXPECT_FALSE(store->principal_for(hash).has_value());
}

TEST_P(StoreTest, AppNamesAreUniqueAcrossOrgsIgnoringCase) {
  auto a = store->create_org("a", "A");
  auto b = store->create_org("b", "B");
  store->create_app(a, "web");
  EXPECT_THROW(store->create_app(b, "web"), StoreError);
  EXPECT_THROW(store->create_app(b, "WEB"), StoreError);
  EXPECT_EQ(store->find_app("web")->org.slug, "a");
}

TEST_P(StoreTest, PeerAddressesFollowTheLayoutBehindTheRegionGateway) {
  auto org = store->create_org("a", "A");
  auto p0 = store->create_peer(org, peer("one"));
  auto p1 = store->create_peer(org, peer("two"));
  auto host = region("ams").gateway_host;
  EXPECT_EQ(p0.peer_ip, core::peer_address(org.network_id, host, 0));
  EXPECT_EQ(p1.peer_ip, core::peer_address(org.network_id, host, 1));
  EXPECT_EQ(p0.peer_ip.str(), "fdaa:0:1:a7b:200:0:a:2");
}

TEST_P(StoreTest, PeerNameIsUniquePerOrgAndKeyUniqueEverywhere) {
  auto a = store->create_org("a", "A");
  auto b = store->create_org("b", "B");
  auto first = store->create_peer(a, peer("laptop"));
  EXPECT_THROW(store->create_peer(a, peer("laptop")), StoreError);
  EXPECT_THROW(store->create_peer(a, peer("LAPTOP")), StoreError);
  EXPECT_NO_THROW(store->create_peer(b, peer("laptop")));
  auto same_key = peer("other");
  same_key.pubkey = first.pubkey;
  EXPECT_THROW(store->create_peer(b, same_key), StoreError);
}

TEST_P(StoreTest, ReleasedPeerAddressIsNeverHandedOutAgain) {
  auto org = store->create_org("a", "A");
  auto first = store->create_peer(org, peer("one"));
  store->delete_peer(org, "one");
  auto again = store->create_peer(org, peer("one"));
  EXPECT_NE(first.peer_ip, again.peer_ip);
  EXPECT_THROW(store->delete_peer(org, "missing"), StoreError);
}

TEST_P(StoreTest, DestroyedMachineReleasesItsAddressForGood) {
  auto org = store->create_org("a", "A");
  auto app = store->create_app(org, "web");
  auto m = store->create_machine(app, machine());
  EXPECT_EQ(m.private_ip, core::machine_address(org.network_id, region("fra").machine_host, 0));
  EXPECT_EQ(m.id.size(), 14u);
  EXPECT_EQ(m.name, m.id);
  auto gone = store->set_machine_state(app, m.id, MachineState::Destroyed);
  EXPECT_EQ(gone.desired, MachineState::Destroyed);
  auto next = store->create_machine(app, machine());
  EXPECT_NE(next.private_ip, m.private_ip);
  EXPECT_EQ(store->list_machines(app, {}, false).items.size(), 1u);
  EXPECT_EQ(store->list_machines(app, {}, true).items.size(), 2u);
}

TEST_P(StoreTest, MachineStateTransitions) {
  auto org = store->create_org("a", "A");
  auto app = store->create_app(org, "web");
  auto m = store->create_machine(app, machine());
  EXPECT_EQ(m.desired, MachineState::Started);
  EXPECT_EQ(store->set_machine_state(app, m.id, MachineState::Stopped).desired,
            MachineState::Stopped);
  EXPECT_EQ(store->find_app("web")->started_machines, 0);
  EXPECT_EQ(store->set_machine_state(app, m.id, MachineState::Started).desired,
            MachineState::Started);
  store->set_machine_state(app, m.id, MachineState::Destroyed);
  EXPECT_THROW(store->set_machine_state(app, m.id, MachineState::Started), StoreError);
  EXPECT_THROW(store->set_machine_state(app, "00000000000000", MachineState::Stopped), StoreError);
}

TEST_P(StoreTest, FlycastAddressComesFromTheTargetOrgsNetwork) {
  auto a = store->create_org("a", "A");
  auto b = store->create_org("b", "B");
  auto app = store->create_app(a, "api");
  auto own = store->create_flycast(app, a);
  auto exposed = store->create_flycast(app, b);
  EXPECT_EQ(own.address.str(), "fdaa:0:1:0:1::3");
  EXPECT_EQ(exposed.address.str(), "fdaa:0:2:0:1::3");
  EXPECT_EQ(exposed.org.slug, "b");
  EXPECT_EQ(store->list_ips(app, {}).items.size(), 2u);
  store->delete_ip(app, own.address);
  EXPECT_EQ(store->list_ips(app, {}).items.size(), 1u);
  EXPECT_NE(store->create_flycast(app, a).address, own.address);
}

TEST_P(StoreTest, PagesFollowTheCursorWithoutGapsOrRepeats) {
  auto org = store->create_org("a", "A");
  for (int i = 0; i < 7; ++i) store->create_peer(org, peer("p" + std::to_string(i)));
  std::vector<std::string> seen;
  PageRequest page{0, 3};
  for (;;) {
    auto result = store->list_peers(org, page);
    for (const auto& p : result.items) seen.push_back(p.name);
    if (!result.more) break;
    page.after = result.items.back().seq;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"p0", "p1", "p2", "p3", "p4", "p5", "p6"}));
}

TEST_P(StoreTest, TheDatabaseItselfRefusesADuplicateAddress) {
  auto org = store->create_org("a", "A");
  auto p = store->create_peer(org, peer("one"));
  EXPECT_ANY_THROW(db.exec("INSERT INTO allocations (address, org_id, kind, created_at) VALUES (" +
                           db.blob(p.peer_ip.bytes.data(), 16) + ", " + std::to_string(org.id) +
                           ", 'machine', 'now')"));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM allocations"), 1);
}

TEST_P(StoreTest, AllocationSkipsAnAddressTakenOutsideTheCounter) {
  auto org = store->create_org("a", "A");
  auto host = region("ams").gateway_host;
  auto taken = core::peer_address(org.network_id, host, 0);
  db.exec("INSERT INTO allocations (address, org_id, kind, created_at) VALUES (" +
          db.blob(taken.bytes.data(), 16) + ", " + std::to_string(org.id) + ", 'peer', 'now')");
  auto p = store->create_peer(org, peer("one"));
  EXPECT_EQ(p.peer_ip, core::peer_address(org.network_id, host, 1));
}

TEST_P(StoreTest, TheDatabaseItselfRefusesACounterThatGoesBack) {
  auto org = store->create_org("a", "A");
  store->create_peer(org, peer("one"));
  EXPECT_ANY_THROW(db.exec("UPDATE slot_counters SET next_slot = next_slot - 1"));
  EXPECT_ANY_THROW(db.exec("DELETE FROM slot_counters"));
  EXPECT_NO_THROW(db.exec("UPDATE slot_counters SET next_slot = next_slot + 10"));
}

// migrate-store copies the tables store_tables() names: a table a later migration adds must
// join that list, or an installation moved to PostgreSQL would leave it behind.
TEST_P(StoreTest, TheCopyListNamesEveryTableOfTheSchema) {
  std::string names;
  for (const auto& t : store_tables()) names += (names.empty() ? "'" : ", '") + t + "'";
  names += ", 'schema_version'";
  const bool sqlite = GetParam() == Backend::Sqlite;
  const std::string catalog =
      sqlite
          ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
          : "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()";
  const std::string name = sqlite ? "name" : "table_name";
  EXPECT_EQ(db.scalar(catalog + " AND " + name + " NOT IN (" + names + ")"), 0);
  EXPECT_EQ(db.scalar(catalog), static_cast<std::int64_t>(store_tables().size() + 1));
}

TEST_P(StoreTest, ReopeningKeepsEverythingAndTheGatewayKey) {
  auto org = store->create_org("a", "A");
  store->create_peer(org, peer("one"));
  auto key = store->gateway_key().public_key;
  EXPECT_TRUE(core::key_problem(key).empty());
  store.reset();
  store = db.open(regions);
  EXPECT_EQ(db.scalar("SELECT max(version) FROM schema_version"), db.migrations().back().version);
  EXPECT_EQ(store->gateway_key().public_key, key);
  EXPECT_EQ(store->list_peers(*store->find_org("a"), {}).items.size(), 1u);
}

// A page of peers is "org_id = ? AND id > ? ORDER BY id LIMIT n": it must be a range read of
// an index, not a sort of every peer of the org (what made a 10,000-peer list slow).
TEST(SqliteStoreTest, PeerPagesAreAnIndexRangeNotASortOfTheOrg) {
  TempDb db;
  SqliteStore(db.path(), RegionCatalog::builtin());
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.path().c_str(), &raw), SQLITE_OK);
  std::string plan;
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw,
                               "EXPLAIN QUERY PLAN SELECT p.id FROM peers p JOIN orgs o ON "
                               "o.id = p.org_id JOIN allocations l ON l.id = p.allocation_id "
                               "WHERE p.org_id = 1 AND p.id > 5 ORDER BY p.id LIMIT 101",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    plan += "\n";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
  EXPECT_NE(plan.find("peers_by_org"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
}

TEST(SqliteStoreTest, RefusesAFileThatIsNotADatabase) {
  RegionCatalog regions = RegionCatalog::builtin();
  TempDb other;
  {
    std::FILE* f = std::fopen(other.path().c_str(), "w");
    std::fputs("this is not sqlite, just text that is long enough to have a header", f);
    std::fclose(f);
  }
  try {
    SqliteStore bad(other.path(), regions);
    FAIL() << "expected an error";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::Unavailable);
    EXPECT_NE(std::string(e.what()).find("cannot open database"), std::string::npos);
  }
}

TEST(PgStoreTest, AnUnreachableServerIsUnavailableAndItsPasswordNeverShows) {
  TempDb nowhere;  // a socket directory with no server in it
  try {
    PgStore store("postgresql://sixpn:hunter2@/sixpn?host=" + nowhere.dir().string(),
                  RegionCatalog::builtin());
    FAIL() << "expected an error";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::Unavailable);
    std::string message = e.what();
    EXPECT_NE(message.find("cannot open database postgresql://sixpn:***@/sixpn"), std::string::npos)
        << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  }
}

// The server going away and coming back, for this test's database alone (other tests share the
// server): connections refused, the open ones cut, as a restart would.
class PgStoreOutageTest : public ::testing::Test {
 protected:
  StoreDb db{Backend::Postgres};
  std::unique_ptr<Store> store = db.open(RegionCatalog::builtin());

  void go_away() {
    db.admin("ALTER DATABASE {db} WITH ALLOW_CONNECTIONS false");
    db.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'");
  }
  void come_back() { db.admin("ALTER DATABASE {db} WITH ALLOW_CONNECTIONS true"); }
  static StoreError::Kind kind_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const StoreError& e) {
      return e.kind();
    }
    ADD_FAILURE() << "expected a StoreError";
    return StoreError::Kind::NotFound;
  }
};

TEST_F(PgStoreOutageTest, CallsAreUnavailableWhileItIsAwayAndWorkAgainWithoutReopening) {
  auto org = store->create_org("a", "A");
  go_away();
  EXPECT_EQ(kind_of([&] { store->create_org("b", "B"); }), StoreError::Kind::Unavailable);
  EXPECT_EQ(kind_of([&] { store->find_org("a"); }), StoreError::Kind::Unavailable);
  EXPECT_EQ(kind_of([&] { store->network_view(); }), StoreError::Kind::Unavailable);
  come_back();
  EXPECT_TRUE(store->find_org("a").has_value());
  EXPECT_FALSE(store->find_org("b").has_value()) << "the create that failed left a row";
  EXPECT_EQ(store->create_org("b", "B").network_id, 2u);
  EXPECT_EQ(
      store
          ->create_peer(org, NewPeer{"p", "ams", RegionCatalog::builtin().find("ams")->gateway_host,
                                     fresh_pubkey()})
          .name,
      "p");
}

TEST_F(PgStoreOutageTest, ARestartBetweenCallsCostsNoFailure) {
  store->create_org("a", "A");
  // Every pooled connection is cut, the server takes new ones at once: the next call finds its
  // connection dead before sending anything, and connects again.
  db.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'");
  EXPECT_TRUE(store->find_org("a").has_value());
  db.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'");
  EXPECT_EQ(store->create_org("b", "B").network_id, 2u);
}

TEST(PgStoreTest, MaskUrlHidesEveryFormOfPassword) {
  EXPECT_EQ(pg::mask_url("postgres://u:pw@db.example:5432/sixpn"),
            "postgres://u:***@db.example:5432/sixpn");
  EXPECT_EQ(pg::mask_url("postgresql://u@db/sixpn?password=pw&sslmode=require"),
            "postgresql://u@db/sixpn?password=***&sslmode=require");
  EXPECT_EQ(pg::mask_url("postgres://db/sixpn"), "postgres://db/sixpn");
  EXPECT_TRUE(pg::is_postgres_url("postgresql://db/x"));
  EXPECT_FALSE(pg::is_postgres_url("./postgres.db"));
}

SIXPN_BOTH_STORES(StoreTest);

}  // namespace
}  // namespace sixpn::server::store
