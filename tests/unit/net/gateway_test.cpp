#include "net/gateway.hpp"

#include <gtest/gtest.h>

namespace sixpn::net {
namespace {

TEST(GatewayInterfaceName, FollowsWireguardToolsRule) {
  for (const char* good : {"gw0", "sixpn-gw", "a", "wg_0=+.-", "fifteen-chars-x"}) {
    EXPECT_EQ(interface_name_problem(good), "") << good;
  }
  for (const char* bad : {"", "sixteen-chars-xx", "gw 0", "gw/0", "gw0\n", "gw\xc3\xa9"}) {
    EXPECT_NE(interface_name_problem(bad), "") << bad;
  }
}

TEST(Gateway, DoesNothingBeforeStart) {
  bool asked = false;
  Gateway gw(GatewayOptions{"sixpn-unit0"}, core::PrivateKey::generate(), [&] {
    asked = true;
    return DesiredState{};
  });
  EXPECT_FALSE(gw.request_sync(std::chrono::milliseconds(10)));
  EXPECT_FALSE(asked);
  gw.stop();  // idempotent, and touches nothing that was never set up
  EXPECT_FALSE(asked);
}

const std::string kLaptop = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
const std::string kHost = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
const std::string kOther = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";

TEST(GatewayNodeState, LaptopsAndHostsAreBothPeersEachWithExactlyItsOwnPrefixes) {
  DesiredState state;
  state.networks = {1};
  state.peers = {{kLaptop, *core::Ipv6::parse("fdaa:0:2:a7b:200:0:a:2")}};
  state.mesh = {
      mesh_peer(kHost, "10.66.0.2:51820", {"fdaa:0:1:c00:1::/80", "fdaa:0:2:c00:1::/80"})};
  std::vector<std::string> skipped;
  auto node = gateway_node_state(state, skipped);
  EXPECT_TRUE(skipped.empty());
  // The laptop's org is served even before the store lists it among the networks; network 0
  // (the proxies' addresses) is routed into the mesh, and isolated from nothing.
  EXPECT_EQ(node.routed, (std::set<std::uint32_t>{0, 1, 2}));
  EXPECT_EQ(node.isolation, (std::set<std::uint32_t>{1, 2}));
  ASSERT_EQ(node.peers.size(), 2u);
  EXPECT_EQ(node.peers[0], (DesiredPeer{kLaptop, {"fdaa:0:2:a7b:200:0:a:0/120"}, "", 0}));
  EXPECT_EQ(node.peers[1], (DesiredPeer{kHost,
                                        {"fdaa:0:1:c00:1::/80", "fdaa:0:2:c00:1::/80"},
                                        "10.66.0.2:51820",
                                        kMeshKeepaliveSeconds}));
}

TEST(GatewayNodeState, UnusableRowsAreSkippedAndSaidWhileTheRestGoesOn) {
  DesiredState state;
  state.peers = {{"nokey", *core::Ipv6::parse("fdaa:0:1:a7b:200:0:a:2")},
                 {kLaptop, *core::Ipv6::parse("fdaa:0:1:a7b:200:0:a:102")}};
  state.mesh = {mesh_peer(kOther, "10.66.0.3:51820", {"fdaa:0:1::/48"}),  // a whole org
                mesh_peer(kLaptop, "10.66.0.4:51820", {"fdaa:0:1:c00:2::/80"}),
                mesh_peer(kHost, "10.66.0.2:51820", {"fdaa:0:1:c00:1::/80"})};
  std::vector<std::string> skipped;
  auto node = gateway_node_state(state, skipped);
  EXPECT_EQ(skipped.size(), 3u);
  ASSERT_EQ(node.peers.size(), 2u);
  EXPECT_EQ(node.peers[0].public_key, kLaptop);
  EXPECT_EQ(node.peers[0].endpoint, "");
  EXPECT_EQ(node.peers[1].public_key, kHost);
}

}  // namespace
}  // namespace sixpn::net
