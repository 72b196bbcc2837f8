// Mesh peers (hosts and the gateway): several allowed prefixes, an endpoint to dial and a
// keepalive, planned next to laptops' peers, whose plans wg_device_test.cpp pins down.
#include "net/wg_peers.hpp"

#include <gtest/gtest.h>

namespace sixpn::net {
namespace {

const std::string kA = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
const std::string kB = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
const std::string kC = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";

const std::string kOrg1Host = "fdaa:0:1:c00:1::/80";
const std::string kOrg2Host = "fdaa:0:2:c00:1::/80";

TEST(WgPeers, ReadsEndpointsAndKeepalives) {
  auto table =
      parse_allowed_ips(kA + "\t" + kOrg1Host + " " + kOrg2Host + "\n" + kB + "\t(none)\n");
  merge_endpoints(table, kA + "\t10.0.0.2:51820\n" + kB + "\t(none)\n");
  merge_keepalives(table, kA + "\t25\n" + kB + "\toff\n");
  EXPECT_EQ(table[kA], (PeerState{{kOrg1Host, kOrg2Host}, "10.0.0.2:51820", 25}));
  EXPECT_EQ(table[kB], (PeerState{{}, "", 0}));
  EXPECT_THROW(merge_keepalives(table, kA + "\tsoon\n"), std::runtime_error);
  EXPECT_THROW(merge_endpoints(table, "interface: wg0\n"), std::runtime_error);
}

TEST(WgPeers, ANewMeshPeerGetsEveryPrefixItsEndpointAndKeepalive) {
  auto plan = plan_peers({}, {mesh_peer(kA, "10.0.0.2:51820", {kOrg2Host, kOrg1Host})});
  ASSERT_EQ(plan.set.size(), 1u);
  EXPECT_EQ(plan.set[kA], (PeerChange{{kOrg1Host, kOrg2Host}, "10.0.0.2:51820", 25}));
  EXPECT_EQ(
      peer_commands("h0", plan),
      (std::vector<Argv>{{"wg", "set", "h0", "peer", kA, "allowed-ips", kOrg1Host + "," + kOrg2Host,
                          "endpoint", "10.0.0.2:51820", "persistent-keepalive", "25"}}));
}

TEST(WgPeers, AMeshPeerInSyncIsLeftAloneWhateverTheOrderOrSpelling) {
  PeerTable current{{kA, {{kOrg2Host, kOrg1Host}, "[fd00::2]:51820", 25}}};
  auto desired = mesh_peer(kA, "[FD00:0::2]:51820", {"fdaa:0:1:c00:1:0:0:0/80", kOrg2Host});
  EXPECT_TRUE(plan_peers(current, {desired}).empty());
}

TEST(WgPeers, OnlyWhatDiffersIsSetBesideTheAllowedIps) {
  PeerTable current{{kA, {{kOrg1Host}, "10.0.0.2:51820", 25}},
                    {kB, {{kOrg1Host}, "10.0.0.3:51820", 0}},
                    {kC, {{"fdaa::/16"}, "10.0.0.4:51820", 25}}};
  auto plan = plan_peers(current, {mesh_peer(kA, "10.0.0.9:51820", {kOrg1Host}),
                                   mesh_peer(kB, "10.0.0.3:51820", {kOrg1Host}),
                                   mesh_peer(kC, "10.0.0.4:51820", {kOrg2Host})});
  EXPECT_TRUE(plan.remove.empty());
  EXPECT_EQ(plan.set[kA], (PeerChange{{kOrg1Host}, "10.0.0.9:51820", std::nullopt}));
  EXPECT_EQ(plan.set[kB], (PeerChange{{kOrg1Host}, "", 25}));
  // A widened list is narrowed back to exactly the node's own prefixes.
  EXPECT_EQ(plan.set[kC], (PeerChange{{kOrg2Host}, "", std::nullopt}));
}

TEST(WgPeers, ALaptopKeepsTheEndpointItRoamedToAndLosesAKeepaliveSetByHand) {
  core::Ipv6 laptop = *core::Ipv6::parse("fdaa:0:1:a7b:d6b:0:a:2");
  PeerTable current{{kA, {{"fdaa:0:1:a7b:d6b:0:a:0/120"}, "192.0.2.7:40000", 0}},
                    {kB, {{"fdaa:0:1:a7b:d6b:0:a:100/120"}, "192.0.2.8:40000", 10}}};
  auto plan = plan_peers(
      current,
      {laptop_peer(kA, laptop), laptop_peer(kB, *core::Ipv6::parse("fdaa:0:1:a7b:d6b:0:a:102"))});
  EXPECT_FALSE(plan.set.count(kA));
  EXPECT_EQ(plan.set[kB], (PeerChange{{"fdaa:0:1:a7b:d6b:0:a:100/120"}, "", 0}));
  EXPECT_EQ(peer_commands("gw0", plan).at(0),
            (Argv{"wg", "set", "gw0", "peer", kB, "allowed-ips", "fdaa:0:1:a7b:d6b:0:a:100/120",
                  "persistent-keepalive", "off"}));
}

TEST(WgPeers, MeshPeersMustBeSafeToProgram) {
  EXPECT_EQ(mesh_peer_problem(mesh_peer(kA, "10.0.0.2:51820", {kOrg1Host})), "");
  EXPECT_EQ(mesh_peer_problem(mesh_peer(kA, "[fd00::2]:51820", {"fdaa:0:1:c00:1:0:5:2/112"})), "");
  EXPECT_EQ(mesh_peer_problem(mesh_peer(kA, "10.0.0.2:51820", {})), "");
  for (const auto& bad :
       {mesh_peer("nokey", "10.0.0.2:51820", {kOrg1Host}),
        mesh_peer(kA, "host.example:51820", {kOrg1Host}), mesh_peer(kA, "10.0.0.2", {kOrg1Host}),
        mesh_peer(kA, "10.0.0.2:51820", {"fdaa:0:1::/48"}),
        mesh_peer(kA, "10.0.0.2:51820", {"fdaa::/16"}),
        mesh_peer(kA, "10.0.0.2:51820", {"fd00:0:1:c00:1::/80"}),
        mesh_peer(kA, "10.0.0.2:51820", {"10.0.0.0/8"}),
        mesh_peer(kA, "10.0.0.2:51820", {"fdaa:0:1:c00:1::/200"})}) {
    EXPECT_NE(mesh_peer_problem(bad), "") << bad.public_key << " " << bad.endpoint;
  }
}

TEST(WgPeers, CanonicalCidrMasksTheHostBits) {
  EXPECT_EQ(canonical_cidr("FDAA:0:1:C00:1:5::2/80"), "fdaa:0:1:c00:1::/80");
  EXPECT_EQ(canonical_cidr("not a cidr"), "not a cidr");
  EXPECT_EQ(canonical_cidr("fdaa::/x"), "fdaa::/x");
}

}  // namespace
}  // namespace sixpn::net
