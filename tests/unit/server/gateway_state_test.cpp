// What the control plane gives the WireGuard gateway: every org network and every peer.
#include "server/gateway_state.hpp"

#include <gtest/gtest.h>

#include "core/keys.hpp"
#include "server/store/sqlite_store.hpp"
#include "server/util.hpp"
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
  auto state = gateway_desired_state(store, store.gateway_key().public_key);
  EXPECT_EQ(state.networks, (std::set<std::uint32_t>{a.network_id, b.network_id}));
  ASSERT_EQ(state.peers.size(), 1u);
  EXPECT_EQ(state.peers[0].public_key, laptop.pubkey);
  EXPECT_EQ(state.peers[0].address, laptop.peer_ip);
}

store::HostRecord register_with(store::Store& store, const std::string& region,
                                const std::string& pubkey) {
  const auto token = sha256("join-" + pubkey);
  store.create_join_token(token, store::NewJoinToken{region, "", "2999-01-01T00:00:00Z"});
  return store.register_host(token, store::NewHost{"", pubkey, "10.0.0.2:51821"},
                             sha256("cred-" + pubkey));
}

TEST(GatewayState, EveryLiveHostButTheEmbeddedOneIsAMeshPeer) {
  testing::TempDb db;
  auto regions = RegionCatalog::builtin();
  store::SqliteStore store(db.path(), regions);
  const auto gateway = store.gateway_key().public_key;
  auto remote = register_with(store, "ams", core::PrivateKey::generate().public_key().base64());
  register_with(store, "*", gateway);
  auto nodes = gateway_mesh_hosts(store, gateway);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].id, remote.id);
}

TEST(GatewayState, HostsOfTheMeshBecomePeersAllowedExactlyTheirSlices) {
  net::DesiredState state;
  api::MeshNode host;
  host.kind = "host";
  host.pubkey = core::PrivateKey::generate().public_key().base64();
  host.endpoint = "10.0.0.2:51821";
  host.allowed_ips = {"fdaa:0:1:c00:1::/80", "fdaa:0:2:c00:1::/80"};
  add_mesh_peers(state, {host});
  ASSERT_EQ(state.mesh.size(), 1u);
  EXPECT_EQ(state.mesh[0], net::mesh_peer(host.pubkey, host.endpoint, host.allowed_ips));
  EXPECT_EQ(state.mesh[0].persistent_keepalive, net::kMeshKeepaliveSeconds);
}

}  // namespace
}  // namespace sixpn::server
