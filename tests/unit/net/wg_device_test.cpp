#include "net/wg_device.hpp"

#include <gtest/gtest.h>

namespace sixpn::net {
namespace {

const std::string kA = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
const std::string kB = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
const std::string kC = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";

core::Ipv6 ip(const char* text) {
  return *core::Ipv6::parse(text);
}

TEST(WgDevice, AllowedIpIsThePeersOwnSlash120) {
  EXPECT_EQ(peer_allowed_ip(ip("fdaa:0:18:a7b:d6b:0:a:2")), "fdaa:0:18:a7b:d6b:0:a:0/120");
  EXPECT_EQ(peer_allowed_ip(ip("fdaa:0:4:a7b:ab6:0:a:102")), "fdaa:0:4:a7b:ab6:0:a:100/120");
}

TEST(WgDevice, ParsesAllowedIps) {
  auto table = parse_allowed_ips(kA + "\tfdaa:0:18:a7b:d6b:0:a:0/120\n" + kB + "\t(none)\n" + kC +
                                 "\tfdaa:0:1::/48 10.0.0.1/32\n");
  ASSERT_EQ(table.size(), 3u);
  EXPECT_EQ(table[kA].allowed_ips, std::vector<std::string>{"fdaa:0:18:a7b:d6b:0:a:0/120"});
  EXPECT_TRUE(table[kB].allowed_ips.empty());
  EXPECT_EQ(table[kC].allowed_ips, (std::vector<std::string>{"fdaa:0:1::/48", "10.0.0.1/32"}));
}

TEST(WgDevice, ParsingCanonicalisesAddresses) {
  auto table = parse_allowed_ips(kA + "\tFDAA:0:18:A7B:D6B:0:A:7/120\n");
  EXPECT_EQ(table[kA].allowed_ips, std::vector<std::string>{"fdaa:0:18:a7b:d6b:0:a:0/120"});
}

TEST(WgDevice, RefusesOutputOfAnotherShape) {
  EXPECT_THROW(parse_allowed_ips("interface: wg0\n"), std::runtime_error);
  EXPECT_THROW(parse_allowed_ips("notakey\tfdaa::/120\n"), std::runtime_error);
  EXPECT_TRUE(parse_allowed_ips("").empty());
}

TEST(WgDevice, PlanAddsMissingRemovesExtraAndLeavesCorrectPeersAlone) {
  PeerTable current{{kA, {{"fdaa:0:1:0:a:0:a:0/120"}}}, {kB, {{"fdaa:0:1:0:a:0:a:100/120"}}}};
  std::vector<DesiredPeer> desired{laptop_peer(kA, ip("fdaa:0:1:0:a:0:a:2")),
                                   laptop_peer(kC, ip("fdaa:0:2:0:a:0:a:2"))};
  auto plan = plan_peers(current, desired);
  EXPECT_EQ(plan.remove, std::vector<std::string>{kB});
  EXPECT_EQ(plan.set, (std::map<std::string, PeerChange>{{kC, {{"fdaa:0:2:0:a:0:a:0/120"}}}}));
}

TEST(WgDevice, PlanNarrowsAPeerWidenedByHand) {
  PeerTable current{{kA, {{"fdaa:0:1:0:a:0:a:0/120", "fdaa:0:2::/48"}}}, {kB, {}}};
  std::vector<DesiredPeer> desired{laptop_peer(kA, ip("fdaa:0:1:0:a:0:a:2")),
                                   laptop_peer(kB, ip("fdaa:0:1:0:a:0:a:102"))};
  auto plan = plan_peers(current, desired);
  EXPECT_TRUE(plan.remove.empty());
  EXPECT_EQ(plan.set.size(), 2u);
  EXPECT_EQ(plan.set[kA].allowed_ips, std::vector<std::string>{"fdaa:0:1:0:a:0:a:0/120"});
  EXPECT_EQ(plan.set[kB].allowed_ips, std::vector<std::string>{"fdaa:0:1:0:a:0:a:100/120"});
}

TEST(WgDevice, PlanOfAnInterfaceInSyncIsEmpty) {
  PeerTable current{{kA, {{"fdaa:0:1:0:a:0:a:0/120"}}}};
  EXPECT_TRUE(plan_peers(current, {laptop_peer(kA, ip("fdaa:0:1:0:a:0:a:2"))}).empty());
  EXPECT_TRUE(plan_peers({}, {}).empty());
}

TEST(WgDevice, PeerCommandsRemoveThenSetInBatches) {
  PeerPlan plan;
  plan.remove = {kA};
  // In key order: kC sorts before kB.
  plan.set = {{kC, {{"fdaa:0:1:0:a:0:a:0/120"}}}, {kB, {{"fdaa:0:1:0:a:0:a:100/120"}}}};
  auto commands = peer_commands("gw0", plan, 2);
  ASSERT_EQ(commands.size(), 2u);
  EXPECT_EQ(commands[0], (Argv{"wg", "set", "gw0", "peer", kA, "remove", "peer", kC, "allowed-ips",
                               "fdaa:0:1:0:a:0:a:0/120"}));
  EXPECT_EQ(commands[1],
            (Argv{"wg", "set", "gw0", "peer", kB, "allowed-ips", "fdaa:0:1:0:a:0:a:100/120"}));
  EXPECT_TRUE(peer_commands("gw0", PeerPlan{}).empty());
}

}  // namespace
}  // namespace sixpn::net
