// What the control plane gives the WireGuard gateway: every org network and every peer.
#include "server/gateway_state.hpp"

#include <gtest/gtest.h>

#include "core/keys.hpp"
#include "server/store/sqlite_store.hpp"
#include "tests/unit/server/temp_db.hpp"

namespace sixpn::server {
namespace {

TEST(GatewayState, EveryOrgNetworkIsThereAlsoWithoutPeers) {
  testing::TempDb db;
  auto regions = RegionCatalog::builtin();
  store::SqliteStore store(db.path(), regions);
  auto a = store.create_org("a", "A");
  auto b = store.create_org("b", "B");
  auto laptop =
      store.create_peer(a, store::NewPeer{"laptop", "ams", regions.find("ams")->gateway_host,
                                          core::PrivateKey::generate().public_key().base64()});
  auto state = gateway_desired_state(store);
  EXPECT_EQ(state.networks, (std::set<std::uint32_t>{a.network_id, b.network_id}));
  ASSERT_EQ(state.peers.size(), 1u);
  EXPECT_EQ(state.peers[0].public_key, laptop.pubkey);
  EXPECT_EQ(state.peers[0].address, laptop.peer_ip);
}

}  // namespace
}  // namespace sixpn::server
