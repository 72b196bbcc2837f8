// The store under concurrency, Idempotency-Key bookkeeping, and the read models the DNS server
// and the gateway are fed from.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "core/keys.hpp"
#include "tests/unit/server/store_backends.hpp"

namespace sixpn::server::store {
namespace {

using testing::Backend;
using testing::StoreDb;

class StoreFeedsTest : public ::testing::TestWithParam<Backend> {
 protected:
  StoreDb db{GetParam()};
  RegionCatalog regions = RegionCatalog::builtin();
  std::unique_ptr<Store> opened = db.open(regions);
  Store& store = *opened;

  NewPeer peer(const std::string& name, const char* code = "ams") {
    return NewPeer{name, code, regions.find(code)->gateway_host,
                   core::PrivateKey::generate().public_key().base64()};
  }
  NewMachine machine(const char* code, const std::string& group = "app") {
    NewMachine m;
    m.region = code;
    m.machine_host = regions.find(code)->machine_host;
    m.process_group = group;
    return m;
  }
};

TEST_P(StoreFeedsTest, ConcurrentCreatesGetDistinctAddressesInsideTheOrg) {
  auto org = store.create_org("a", "A");
  auto app = store.create_app(org, "web");
  std::mutex mu;
  std::set<core::Ipv6> addresses;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        try {
          auto p = store.create_peer(
              org, peer("t" + std::to_string(t) + "-" + std::to_string(i), i % 2 ? "ams" : "fra"));
          auto f = store.create_flycast(app, org);
          auto m = store.create_machine(app, machine("fra"));
          std::lock_guard lock(mu);
          addresses.insert(p.peer_ip);
          addresses.insert(f.address);
          addresses.insert(m.private_ip);
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(addresses.size(), 8u * 10u * 3u);
  for (const auto& a : addresses) {
    EXPECT_TRUE(core::in_prefix(a, core::org_prefix(org.network_id), 48)) << a.str();
  }
}

// Two stores on one database, as two replicas of sixpnd serve (or sixpnd serve beside an
// operator's command) would be: the database alone keeps their addresses apart, and no step of
// the counter is lost or taken twice.
TEST_P(StoreFeedsTest, TwoStoresOnOneDatabaseNeverHandOutOneAddressTwice) {
  auto org = store.create_org("a", "A");
  auto other = db.open(regions);
  std::mutex mu;
  std::set<core::Ipv6> addresses;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      Store& mine = t % 2 == 0 ? store : *other;
      for (int i = 0; i < 10; ++i) {
        try {
          auto p = mine.create_peer(org, peer("t" + std::to_string(t) + "-" + std::to_string(i)));
          std::lock_guard lock(mu);
          addresses.insert(p.peer_ip);
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(addresses.size(), 80u);
  // Slots 0 to 79, each once: the next one is 80.
  EXPECT_EQ(db.scalar("SELECT next_slot FROM slot_counters"), 80);
}

class StoreOpenTest : public ::testing::TestWithParam<Backend> {
 protected:
  StoreDb db{GetParam()};
};

TEST_P(StoreOpenTest, StoresOpeningAFreshDatabaseTogetherMigrateItOnce) {
  std::vector<std::unique_ptr<Store>> stores(4);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (auto& slot : stores) {
    threads.emplace_back([&] {
      try {
        slot = db.open(RegionCatalog::builtin());
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM schema_version"), 1);
  EXPECT_EQ(db.scalar("SELECT max(version) FROM schema_version"), db.migrations().back().version);
  for (auto& s : stores) {
    ASSERT_TRUE(s != nullptr);
    EXPECT_FALSE(s->find_org("none").has_value());
  }
}

TEST_P(StoreFeedsTest, IdempotentRunsTheCreateOnceAndReplaysItsResponse) {
  auto org = store.create_org("a", "A");
  auto hash = sha256("tok");
  store.create_token(hash, NewToken{{"a"}, "", std::nullopt});
  auto token = store.principal_for(hash)->token_id;
  int runs = 0;
  auto create = [&] {
    ++runs;
    auto p = store.create_peer(org, peer("once"));
    return StoredResponse{201, p.peer_ip.str()};
  };
  bool replayed = true;
  auto first = store.idempotent(token, "k", sha256("req"), create, replayed);
  EXPECT_FALSE(replayed);
  auto second = store.idempotent(token, "k", sha256("req"), create, replayed);
  EXPECT_TRUE(replayed);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(first.body, second.body);
  EXPECT_EQ(second.status, 201);
  EXPECT_EQ(store.list_peers(org, {}).items.size(), 1u);
}

TEST_P(StoreFeedsTest, IdempotencyKeyReusedForAnotherRequestIsRefused) {
  store.create_org("a", "A");
  auto hash = sha256("tok");
  store.create_token(hash, NewToken{{"a"}, "", std::nullopt});
  auto token = store.principal_for(hash)->token_id;
  bool replayed = false;
  store.idempotent(
      token, "k", sha256("one"),
      [] {
        return StoredResponse{201, "{}"};
      },
      replayed);
  try {
    store.idempotent(
        token, "k", sha256("two"),
        [] {
          return StoredResponse{201, "{}"};
        },
        replayed);
    FAIL() << "expected a refusal";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), "idempotency_key_reused");
  }
}

TEST_P(StoreFeedsTest, FailedResponsesAreNotKeptSoARetryRunsAgain) {
  store.create_org("a", "A");
  auto hash = sha256("tok");
  store.create_token(hash, NewToken{{"a"}, "", std::nullopt});
  auto token = store.principal_for(hash)->token_id;
  int runs = 0;
  bool replayed = false;
  auto failing = [&] {
    ++runs;
    return StoredResponse{422, "{}"};
  };
  store.idempotent(token, "k", sha256("r"), failing, replayed);
  store.idempotent(token, "k", sha256("r"), failing, replayed);
  EXPECT_EQ(runs, 2);
  EXPECT_FALSE(replayed);
}

TEST_P(StoreFeedsTest, ConcurrentDuplicateKeysCreateOnlyOnce) {
  auto org = store.create_org("a", "A");
  auto hash = sha256("tok");
  store.create_token(hash, NewToken{{"a"}, "", std::nullopt});
  auto token = store.principal_for(hash)->token_id;
  std::atomic<int> runs{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      bool replayed = false;
      store.idempotent(
          token, "same", sha256("req"),
          [&] {
            ++runs;
            store.create_peer(org, peer("dup"));
            return StoredResponse{201, "{}"};
          },
          replayed);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(store.list_peers(org, {}).items.size(), 1u);
}

TEST_P(StoreFeedsTest, ListenersHearCommittedChangesOnly) {
  std::atomic<int> calls{0};
  store.add_change_listener([&] { ++calls; });
  auto org = store.create_org("a", "A");
  EXPECT_EQ(calls.load(), 1);
  store.find_org("a");
  store.list_peers(org, {});
  EXPECT_EQ(calls.load(), 1);
  EXPECT_THROW(store.create_org("a", "again"), StoreError);
  EXPECT_EQ(calls.load(), 1);
  store.create_peer(org, peer("p"));
  EXPECT_EQ(calls.load(), 2);
}

TEST_P(StoreFeedsTest, ListenerMayReadTheStoreItNotifiesAbout) {
  std::size_t peers_seen = 0;
  auto org = store.create_org("a", "A");
  store.add_change_listener([&] { peers_seen = store.all_peers().size(); });
  store.create_peer(org, peer("p"));
  EXPECT_EQ(peers_seen, 1u);
}

TEST_P(StoreFeedsTest, NetworkViewHoldsTheRowsOfEveryNetworkInCreationOrder) {
  auto a = store.create_org("a", "A");
  auto b = store.create_org("b", "B");
  auto web = store.create_app(a, "web");
  auto api = store.create_app(b, "api");
  auto worker = machine("fra", "worker");
  worker.metadata = {{"role", "primary"}};
  auto m1 = store.create_machine(web, worker);
  auto m2 = store.create_machine(web, machine("ams"));
  store.set_machine_state(web, m2.id, MachineState::Stopped);
  auto gone = store.create_machine(web, machine("ams"));
  store.set_machine_state(web, gone.id, MachineState::Destroyed);
  auto laptop = store.create_peer(a, peer("laptop", "fra"));
  auto own = store.create_flycast(web, a);
  auto exposed = store.create_flycast(web, b);
  auto view = store.network_view();

  ASSERT_EQ(view.orgs.size(), 2u);
  EXPECT_EQ(view.orgs[0].slug, "a");
  EXPECT_EQ(view.orgs[0].network_id, a.network_id);
  EXPECT_EQ(view.orgs[1].network_id, b.network_id);
  ASSERT_EQ(view.apps.size(), 2u);
  EXPECT_EQ(view.apps[0].name, "web");
  EXPECT_EQ(view.apps[0].network_id, a.network_id);
  EXPECT_EQ(view.apps[1].name, "api");
  EXPECT_EQ(view.apps[1].network_id, b.network_id);

  // Each Flycast address in the network it was allocated in, whoever's app it is.
  ASSERT_EQ(view.flycast.size(), 2u);
  EXPECT_EQ(view.flycast[0].app, "web");
  EXPECT_EQ(view.flycast[0].network_id, a.network_id);
  EXPECT_EQ(view.flycast[0].address, own.address);
  EXPECT_EQ(view.flycast[1].app, "web");
  EXPECT_EQ(view.flycast[1].network_id, b.network_id);
  EXPECT_EQ(view.flycast[1].address, exposed.address);

  ASSERT_EQ(view.machines.size(), 2u);  // the destroyed one holds no address
  EXPECT_EQ(view.machines[0].id, m1.id);
  EXPECT_EQ(view.machines[0].network_id, a.network_id);
  EXPECT_EQ(view.machines[0].app, "web");
  EXPECT_EQ(view.machines[0].region, "fra");
  EXPECT_EQ(view.machines[0].process_group, "worker");
  EXPECT_EQ(view.machines[0].metadata, worker.metadata);
  EXPECT_EQ(view.machines[0].address, m1.private_ip);
  EXPECT_TRUE(view.machines[0].started);
  EXPECT_EQ(view.machines[1].id, m2.id);
  EXPECT_FALSE(view.machines[1].started);

  ASSERT_EQ(view.peers.size(), 1u);
  EXPECT_EQ(view.peers[0].name, "laptop");
  EXPECT_EQ(view.peers[0].region, "fra");
  EXPECT_EQ(view.peers[0].network_id, a.network_id);
  EXPECT_EQ(view.peers[0].address, laptop.peer_ip);
}

TEST_P(StoreFeedsTest, NetworkViewVersionGrowsWithEveryChange) {
  auto v0 = store.network_view().version;
  store.create_org("a", "A");
  auto v1 = store.network_view().version;
  EXPECT_GT(v1, v0);
  EXPECT_EQ(store.network_view().version, v1);  // reading changes nothing
}

TEST_P(StoreFeedsTest, AllPeersCarriesWhatTheGatewayNeeds) {
  auto a = store.create_org("a", "A");
  auto p = store.create_peer(a, peer("laptop", "fra"));
  auto all = store.all_peers();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].pubkey, p.pubkey);
  EXPECT_EQ(all[0].peer_ip, p.peer_ip);
  EXPECT_EQ(all[0].network_id, a.network_id);
  EXPECT_EQ(all[0].org, "a");
  EXPECT_EQ(all[0].region, "fra");
}

SIXPN_BOTH_STORES(StoreFeedsTest);
SIXPN_BOTH_STORES(StoreOpenTest);

}  // namespace
}  // namespace sixpn::server::store
