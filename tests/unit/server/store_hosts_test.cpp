// The store's side of hosts: join tokens, registration, placement, reports, logs, removal.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/keys.hpp"
#include "tests/unit/server/store_backends.hpp"

namespace sixpn::server::store {
namespace {

using testing::Backend;
using testing::StoreDb;

std::string fresh_pubkey() {
  return core::PrivateKey::generate().public_key().base64();
}

class StoreHostsTest : public ::testing::TestWithParam<Backend> {
 protected:
  StoreDb db{GetParam()};
  RegionCatalog regions = RegionCatalog::builtin();
  std::unique_ptr<Store> store = db.open(regions);
  OrgRecord org = store->create_org("acme", "Acme");
  AppRecord app = store->create_app(org, "web");
  int tokens = 0;

  Sha256 join_token(const std::string& region, std::time_t expires_in = 3600,
                    const std::string& name = "") {
    auto hash = sha256("sixpn_join_" + std::to_string(++tokens));
    store->create_join_token(hash, NewJoinToken{region, name, rfc3339(std::time(nullptr) + expires_in)});
    return hash;
  }
  HostRecord host(const std::string& region, const std::string& name = "") {
    auto credential = sha256("sixpn_host_" + region + name + std::to_string(tokens));
    return store->register_host(join_token(region), NewHost{name, fresh_pubkey(), "10.0.0.2:51821"},
                                credential);
  }
  NewMachine machine(const char* code = "fra") {
    NewMachine m;
    m.region = code;
    m.machine_host = regions.find(code)->machine_host;
    m.process_group = "app";
    return m;
  }
  static StoreError::Kind kind_of(const std::function<void()>& f, std::string* code = nullptr) {
    try {
      f();
    } catch (const StoreError& e) {
      if (code != nullptr) *code = e.code();
      return e.kind();
    }
    ADD_FAILURE() << "expected a StoreError";
    return StoreError::Kind::Unavailable;
  }
};

TEST_P(StoreHostsTest, HostIdsStartAt0c000001AndAreNeverReused) {
  auto a = host("fra", "fra-1");
  auto b = host("fra", "fra-2");
  EXPECT_EQ(a.id, kFirstHostId);
  EXPECT_EQ(b.id, kFirstHostId + 1);
  store->remove_host(b.id);
  EXPECT_EQ(host("fra", "fra-3").id, kFirstHostId + 2);
}

TEST_P(StoreHostsTest, AJoinTokenRegistersOneHostOnce) {
  auto token = join_token("ams");
  auto h = store->register_host(token, NewHost{"ams-1", fresh_pubkey(), "10.0.0.2:1"}, sha256("c1"));
  EXPECT_EQ(h.region, "ams");
  EXPECT_TRUE(h.live);
  std::string code;
  EXPECT_EQ(kind_of([&] {
              store->register_host(token, NewHost{"ams-2", fresh_pubkey(), "10.0.0.3:1"},
                                   sha256("c2"));
            }, &code),
            StoreError::Kind::Invalid);
  EXPECT_EQ(code, "join_token_invalid");
}

TEST_P(StoreHostsTest, ExpiredAndUnknownJoinTokensAreRefusedAlike) {
  auto expired = join_token("ams", -1);
  std::string code;
  EXPECT_EQ(kind_of([&] {
              store->register_host(expired, NewHost{"", fresh_pubkey(), "10.0.0.2:1"}, sha256("c"));
            }, &code),
            StoreError::Kind::Invalid);
  EXPECT_EQ(code, "join_token_invalid");
  EXPECT_EQ(kind_of([&] {
              store->register_host(sha256("never made"), NewHost{"", fresh_pubkey(), "1.2.3.4:5"},
                                   sha256("d"));
            }, &code),
            StoreError::Kind::Invalid);
  EXPECT_EQ(code, "join_token_invalid");
}

TEST_P(StoreHostsTest, RegistrationsRacingOnOneTokenMakeOneHost) {
  auto token = join_token("ams");
  std::atomic<int> made{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      try {
        store->register_host(token, NewHost{"h" + std::to_string(i), fresh_pubkey(), "1.2.3.4:5"},
                             sha256("cred" + std::to_string(i)));
        ++made;
      } catch (const StoreError& e) {
        if (e.code() == "join_token_invalid") ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(made.load(), 1);
  EXPECT_EQ(refused.load(), 7);
  EXPECT_EQ(store->list_hosts().size(), 1u);
}

TEST_P(StoreHostsTest, AKeyBelongsToOneHost) {
  auto key = fresh_pubkey();
  store->register_host(join_token("ams"), NewHost{"a", key, "1.2.3.4:5"}, sha256("ca"));
  std::string code;
  EXPECT_EQ(kind_of([&] {
              store->register_host(join_token("ams"), NewHost{"b", key, "1.2.3.4:6"}, sha256("cb"));
            }, &code),
            StoreError::Kind::Conflict);
  EXPECT_EQ(code, "host_key_taken");
}

TEST_P(StoreHostsTest, TheJoinTokensNameWinsAndADefaultNameCarriesTheId) {
  auto named = store->register_host(join_token("ams", 3600, "edge-1"),
                                    NewHost{"asked", fresh_pubkey(), "1.2.3.4:5"}, sha256("c1"));
  EXPECT_EQ(named.name, "edge-1");
  auto plain = store->register_host(join_token("ams"), NewHost{"", fresh_pubkey(), "1.2.3.4:6"},
                                    sha256("c2"));
  EXPECT_EQ(plain.name, "host-0c000002");
}

TEST_P(StoreHostsTest, ACredentialFindsItsHostUntilItIsRemoved) {
  auto h = store->register_host(join_token("ams"), NewHost{"a", fresh_pubkey(), "1.2.3.4:5"},
                                sha256("sixpn_host_a"));
  ASSERT_TRUE(store->host_for(sha256("sixpn_host_a")));
  EXPECT_EQ(store->host_for(sha256("sixpn_host_a"))->id, h.id);
  EXPECT_FALSE(store->host_for(sha256("sixpn_host_b")));
  store->remove_host(h.id);
  EXPECT_FALSE(store->host_for(sha256("sixpn_host_a")));
}

TEST_P(StoreHostsTest, WithoutAnyHostMachinesArePlacedByRegionAlone) {
  auto m = store->create_machine(app, machine("fra"));
  EXPECT_EQ(m.host_id, 0u);
  EXPECT_EQ(core::split(m.private_ip).host, regions.find("fra")->machine_host);
  EXPECT_EQ(m.state, "started");
}

TEST_P(StoreHostsTest, PlacementPicksTheRegionsHostWithFewestMachines) {
  auto a = host("fra", "fra-1");
  auto b = host("fra", "fra-2");
  host("ams", "ams-1");
  auto first = store->create_machine(app, machine("fra"));
  auto second = store->create_machine(app, machine("fra"));
  EXPECT_EQ(first.host_id, a.id);
  EXPECT_EQ(second.host_id, b.id);
  EXPECT_EQ(core::split(second.private_ip).host, b.id);
  EXPECT_EQ(second.host, "fra-2");
  EXPECT_EQ(second.state, "created");
}

TEST_P(StoreHostsTest, WithoutAHostInTheRegionTheEmbeddedHostTakesIt) {
  auto embedded = host("*", "embedded");
  EXPECT_EQ(store->create_machine(app, machine("syd")).host_id, embedded.id);
}

TEST_P(StoreHostsTest, NoHostInTheRegionNamesTheRegionsThatHaveOne) {
  host("ams", "ams-1");
  host("cdg", "cdg-1");
  try {
    store->create_machine(app, machine("syd"));
    FAIL() << "expected no_host_in_region";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::Invalid);
    EXPECT_EQ(e.code(), "no_host_in_region");
    EXPECT_NE(std::string(e.what()).find("ams, cdg"), std::string::npos) << e.what();
  }
}

TEST_P(StoreHostsTest, ReportsDriveTheStateAndOlderGenerationsAreIgnored) {
  auto h = host("fra", "fra-1");
  auto m = store->create_machine(app, machine("fra"));
  EXPECT_EQ(m.generation, 1u);
  store->apply_reports(h.id, {{m.id, 1, "started", std::nullopt, ""}});
  EXPECT_EQ(store->find_machine(app, m.id)->state, "started");
  auto stopped = store->set_machine_state(app, m.id, MachineState::Stopped);
  EXPECT_EQ(stopped.generation, 2u);
  EXPECT_EQ(stopped.state, "stopping");
  store->apply_reports(h.id, {{m.id, 1, "failed", 1, "late news"}});  // about generation 1
  EXPECT_EQ(store->find_machine(app, m.id)->state, "stopping");
  store->apply_reports(h.id, {{m.id, 2, "stopped", 0, ""}});
  auto now = *store->find_machine(app, m.id);
  EXPECT_EQ(now.state, "stopped");
  EXPECT_EQ(now.exit_code, 0);
}

TEST_P(StoreHostsTest, AnAppIsDeployedOnlyOnceAMachineOfItRuns) {
  auto h = host("fra", "fra-1");
  auto m = store->create_machine(app, machine("fra"));
  EXPECT_EQ(store->find_app(app.name)->started_machines, 0);  // created: asked, not running
  store->apply_reports(h.id, {{m.id, 1, "failed", std::nullopt, "no such command"}});
  EXPECT_EQ(store->find_app(app.name)->started_machines, 0);
  store->apply_reports(h.id, {{m.id, 1, "started", std::nullopt, ""}});
  EXPECT_EQ(store->find_app(app.name)->started_machines, 1);
  store->remove_host(h.id);
  EXPECT_EQ(store->find_app(app.name)->started_machines, 0);
}

TEST_P(StoreHostsTest, AMachineThatEndsOnItsOwnIsWantedStopped) {
  auto h = host("fra", "fra-1");
  auto m = store->create_machine(app, machine("fra"));
  store->apply_reports(h.id, {{m.id, 1, "stopped", 3, ""}});
  auto now = *store->find_machine(app, m.id);
  EXPECT_EQ(now.desired, MachineState::Stopped);
  EXPECT_EQ(now.state, "stopped");
  EXPECT_EQ(now.exit_code, 3);
}

TEST_P(StoreHostsTest, ReportsAboutAnotherHostsMachineAreIgnored) {
  host("fra", "fra-1");
  auto other = host("ams", "ams-1");
  auto m = store->create_machine(app, machine("fra"));
  store->apply_reports(other.id, {{m.id, 1, "started", std::nullopt, ""}});
  EXPECT_EQ(store->find_machine(app, m.id)->state, "created");
}

TEST_P(StoreHostsTest, AHostSeesItsMachinesUntilItReportsThemDestroyed) {
  auto h = host("fra", "fra-1");
  auto m = store->create_machine(app, machine("fra"));
  ASSERT_EQ(store->host_machines(h.id).size(), 1u);
  store->set_machine_state(app, m.id, MachineState::Destroyed);
  ASSERT_EQ(store->host_machines(h.id).size(), 1u);
  EXPECT_EQ(store->host_machines(h.id)[0].desired, MachineState::Destroyed);
  EXPECT_EQ(store->find_machine(app, m.id)->state, "destroying");
  store->apply_reports(h.id, {{m.id, 2, "destroyed", std::nullopt, ""}});
  EXPECT_TRUE(store->host_machines(h.id).empty());
  EXPECT_EQ(store->find_machine(app, m.id)->state, "destroyed");
}

TEST_P(StoreHostsTest, RemovingAHostFailsItsMachinesAndReleasesTheirAddresses) {
  auto h = host("fra", "fra-1");
  auto m = store->create_machine(app, machine("fra"));
  auto removed = store->remove_host(h.id);
  EXPECT_EQ(removed.machines, 1);
  auto now = *store->find_machine(app, m.id);
  EXPECT_EQ(now.state, "failed");
  EXPECT_EQ(now.message, "its host was removed");
  EXPECT_TRUE(store->list_hosts().empty());
  EXPECT_EQ(kind_of([&] { store->remove_host(h.id); }), StoreError::Kind::NotFound);
  // The failed machine can still be destroyed, which takes it off the list.
  EXPECT_EQ(store->set_machine_state(app, m.id, MachineState::Destroyed).state, "destroyed");
  EXPECT_TRUE(store->list_machines(app, {}, false).items.empty());
}

TEST_P(StoreHostsTest, LiveHostsCarryTheNetworksTheyServe) {
  auto h = host("fra", "fra-1");
  store->create_machine(app, machine("fra"));
  auto live = store->live_hosts();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].id, h.id);
  EXPECT_EQ(live[0].networks, std::vector<std::uint32_t>{org.network_id});
  EXPECT_EQ(live[0].machines, 1);
}

TEST_P(StoreHostsTest, LogsPageOldestFirstAndKeepTheNewestLinesPerMachine) {
  auto h = host("fra", "fra-1");
  auto m = store->create_machine(app, machine("fra"));
  std::vector<api::LogLine> lines;
  for (int i = 0; i < kLogLinesPerMachine + 5; ++i) {
    lines.push_back({m.id, "", "2026-12-01T12:00:00.000Z", "stdout", "line " + std::to_string(i)});
  }
  lines.push_back({"00000000000000", "", "2026-12-01T12:00:00.000Z", "stdout", "not ours"});
  store->append_logs(h.id, lines);
  PageRequest page;
  page.limit = 3;
  auto first = store->app_logs(app, "", page);
  ASSERT_EQ(first.items.size(), 3u);
  EXPECT_TRUE(first.more);
  EXPECT_EQ(first.items[0].line.message, "line 5");
  EXPECT_EQ(first.items[0].line.region, "fra");
  std::size_t total = 0;
  page.limit = 1000;
  page.after = 0;
  for (;;) {
    auto p = store->app_logs(app, m.id, page);
    total += p.items.size();
    if (!p.more) break;
    page.after = p.items.back().seq;
  }
  EXPECT_EQ(total, static_cast<std::size_t>(kLogLinesPerMachine));
}

TEST_P(StoreHostsTest, OperatorTokensBelongToNoOrg) {
  store->create_token(sha256("sixpn_op"), NewToken{{}, "ops", std::nullopt, true});
  auto p = store->principal_for(sha256("sixpn_op"));
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->is_operator);
  EXPECT_TRUE(p->orgs.empty());
  EXPECT_EQ(kind_of([&] {
              store->create_token(sha256("x"), NewToken{{"acme"}, "", std::nullopt, true});
            }),
            StoreError::Kind::Invalid);
}

}  // namespace
}  // namespace sixpn::server::store

namespace sixpn::server::store {
namespace {

class StoreHostsUpgrade : public ::testing::TestWithParam<Backend> {
 protected:
  StoreDb db{GetParam()};
};

TEST_P(StoreHostsUpgrade, MachinesFromBeforeHostsKeepTheirStateAndGetNoHost) {
  const std::string blob = db.blob_hex("fdaa0000000100000a7b010000000001");
  std::string sql = "CREATE TABLE schema_version (version INTEGER NOT NULL);";
  for (const auto& m : db.migrations()) {
    if (m.version <= 3) sql += m.sql;
  }
  sql +=
      "INSERT INTO schema_version VALUES (3);"
      "INSERT INTO orgs (slug, name, network_id, created_at) "
      "VALUES ('old', 'Old', 1, '2026-01-01T00:00:00Z');"
      "INSERT INTO apps (name, org_id, created_at) VALUES ('web', 1, '2026-01-01T00:00:00Z');"
      "INSERT INTO allocations (address, org_id, kind, created_at) VALUES "
      "(" +
      blob +
      ", 1, 'machine', '2026-01-01T00:00:00Z');"
      "INSERT INTO machines (machine_id, app_id, name, region, state, process_group, metadata, "
      "allocation_id, private_ip, created_at, updated_at) VALUES ('0123456789abcd', 1, 'm', "
      "'ams', 'stopped', 'app', '{}', 1, " +
      blob +
      ", "
      "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');";
  db.exec(sql);
  auto store = db.open(RegionCatalog::builtin());
  auto app = store->find_app("web");
  ASSERT_TRUE(app);
  auto m = store->find_machine(*app, "0123456789abcd");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->host_id, 0u);
  EXPECT_EQ(m->state, "stopped");
  EXPECT_EQ(m->config.image, "host");
  EXPECT_EQ(m->generation, 1u);
}

TEST_P(StoreHostsTest, AStopsOwnSignalIsKeptForThatStopAndTheHostSeesIt) {
  auto h = host("fra", "fra-1");
  auto m = store->create_machine(app, machine("fra"));
  auto stopped =
      store->set_machine_state(app, m.id, MachineState::Stopped, api::MachineStop{"SIGTERM", 10});
  EXPECT_EQ(stopped.stop_request, (api::MachineStop{"SIGTERM", 10}));
  auto listed = store->host_machines(h.id);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].stop_request, (api::MachineStop{"SIGTERM", 10}));
  // The next start forgets it: a later plain stop uses the config again.
  store->set_machine_state(app, m.id, MachineState::Started);
  EXPECT_TRUE(store->find_machine(app, m.id)->stop_request.empty());
  auto plain = store->set_machine_state(app, m.id, MachineState::Stopped);
  EXPECT_TRUE(plain.stop_request.empty());
}

SIXPN_BOTH_STORES(StoreHostsTest);
SIXPN_BOTH_STORES(StoreHostsUpgrade);

}  // namespace
}  // namespace sixpn::server::store
