// What the control plane gives the DNS server: the store's rows made into one zone per org.
#include "server/dns_state.hpp"

#include <gtest/gtest.h>

#include "core/keys.hpp"
#include "server/store/sqlite_store.hpp"
#include "tests/unit/server/temp_db.hpp"

namespace sixpn::server {
namespace {

using store::MachineState;
using store::NetworkView;

TEST(DnsState, EachOrgsZoneHoldsItsAppsMachinesPeersAndTheAppsExposedToIt) {
  testing::TempDb db;
  auto regions = RegionCatalog::builtin();
  store::SqliteStore store(db.path(), regions);
  auto a = store.create_org("a", "A");
  auto b = store.create_org("b", "B");
  auto web = store.create_app(a, "web");
  auto machine = [&](const char* code, const std::string& group = "app") {
    store::NewMachine m;
    m.region = code;
    m.machine_host = regions.find(code)->machine_host;
    m.process_group = group;
    return store.create_machine(web, m);
  };
  auto m1 = machine("fra", "worker");
  auto m2 = machine("ams");
  store.set_machine_state(web, m2.id, MachineState::Stopped);
  auto gone = machine("ams");
  store.set_machine_state(web, gone.id, MachineState::Destroyed);
  store.create_peer(a, store::NewPeer{"laptop", "ams", regions.find("ams")->gateway_host,
                                      core::PrivateKey::generate().public_key().base64()});
  auto exposed = store.create_flycast(web, b);
  auto view = store.network_view();
  auto snap = dns_snapshot(view, regions);
  EXPECT_EQ(snap.version, view.version);

  const auto& za = snap.by_network.at(a.network_id);
  EXPECT_EQ(za.slug, "a");
  EXPECT_EQ(za.network_id, a.network_id);
  ASSERT_EQ(za.apps.size(), 1u);
  EXPECT_EQ(za.apps[0].name, "web");
  EXPECT_TRUE(za.apps[0].in_org);
  EXPECT_TRUE(za.apps[0].flycast.empty());
  ASSERT_EQ(za.machines.size(), 2u);  // the destroyed one holds no address
  EXPECT_EQ(za.machines[0].id, m1.id);
  EXPECT_EQ(za.machines[0].process_group, "worker");
  EXPECT_TRUE(za.machines[0].started);
  EXPECT_FALSE(za.machines[1].started);
  ASSERT_EQ(za.peers.size(), 1u);
  EXPECT_EQ(za.peers[0].name, "laptop");
  EXPECT_FALSE(za.lists);  // made by the DNS service, not here

  const auto& zb = snap.by_network.at(b.network_id);
  EXPECT_EQ(zb.slug, "b");
  ASSERT_EQ(zb.apps.size(), 1u);
  EXPECT_EQ(zb.apps[0].name, "web");
  EXPECT_FALSE(zb.apps[0].in_org);  // a's app, here only through its Flycast address
  ASSERT_EQ(zb.apps[0].flycast.size(), 1u);
  EXPECT_EQ(zb.apps[0].flycast[0], exposed.address);
  EXPECT_TRUE(zb.machines.empty());
  EXPECT_EQ(snap.regions.size(), regions.all().size());
  EXPECT_EQ(snap.regions.count("ams"), 1u);
}

TEST(DnsState, AnAppsFlycastAddressesInItsOwnOrgGoWithItAndOthersMakeAnExposedEntry) {
  NetworkView view;
  view.orgs = {{1, "a"}, {2, "b"}};
  view.apps = {{1, "web"}, {2, "api"}};
  auto own0 = core::flycast_address(1, 0), own1 = core::flycast_address(1, 1);
  auto in_b = core::flycast_address(2, 0), api_in_a = core::flycast_address(1, 2);
  view.flycast = {{1, "web", own0}, {2, "web", in_b}, {1, "api", api_in_a}, {1, "web", own1}};
  auto snap = dns_snapshot(view, RegionCatalog::builtin());

  const auto& za = snap.by_network.at(1);
  ASSERT_EQ(za.apps.size(), 2u);
  EXPECT_EQ(za.apps[0].name, "web");
  EXPECT_TRUE(za.apps[0].in_org);
  EXPECT_EQ(za.apps[0].flycast, (std::vector<core::Ipv6>{own0, own1}));
  EXPECT_EQ(za.apps[1].name, "api");
  EXPECT_FALSE(za.apps[1].in_org);
  EXPECT_EQ(za.apps[1].flycast, (std::vector<core::Ipv6>{api_in_a}));

  const auto& zb = snap.by_network.at(2);
  ASSERT_EQ(zb.apps.size(), 2u);
  EXPECT_EQ(zb.apps[0].name, "api");
  EXPECT_TRUE(zb.apps[0].in_org);
  EXPECT_TRUE(zb.apps[0].flycast.empty());
  EXPECT_EQ(zb.apps[1].name, "web");
  EXPECT_FALSE(zb.apps[1].in_org);
}

TEST(DnsState, RegionsComeFromTheCatalogWithTheirCoordinates) {
  std::vector<RegionEntry> entries{{{"north", "North", 60.0, 10.0, true, false}, 10, 11},
                                   {{"south", "South", -30.0, 20.0, false, false}, 12, 13}};
  auto snap = dns_snapshot(NetworkView{}, RegionCatalog(entries, "north"));
  ASSERT_EQ(snap.regions.size(), 2u);
  EXPECT_EQ(snap.regions.at("south").code, "south");
  EXPECT_EQ(snap.regions.at("south").latitude, -30.0);
  EXPECT_EQ(snap.regions.at("south").longitude, 20.0);
  EXPECT_TRUE(snap.by_network.empty());
}

}  // namespace
}  // namespace sixpn::server
