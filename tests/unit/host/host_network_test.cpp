// A host's desired state turned into what its WireGuard interface and isolation table carry.
#include "host/host_network.hpp"

#include <gtest/gtest.h>

namespace sixpn::host {
namespace {

const std::string kSelf = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
const std::string kOther = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
const std::string kGateway = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
constexpr std::uint32_t kSelfId = 0x0c000001;

api::HostMachine machine(std::uint32_t network, std::string desired) {
  api::HostMachine m;
  m.id = "m" + std::to_string(network) + desired;
  m.network_id = network;
  m.desired = std::move(desired);
  return m;
}

api::MeshNode node(std::string kind, std::string key, std::string endpoint,
                   std::vector<std::string> allowed) {
  api::MeshNode n;
  n.kind = std::move(kind);
  n.pubkey = std::move(key);
  n.endpoint = std::move(endpoint);
  n.allowed_ips = std::move(allowed);
  return n;
}

api::HostState state() {
  api::HostState s;
  s.host.id = kSelfId;
  s.host.pubkey = kSelf;
  s.machines = {machine(1, "started"), machine(2, "stopped"), machine(1, "started"),
                machine(7, "destroyed")};
  s.mesh = {node("host", kOther, "10.0.0.3:51820", {"fdaa:0:1:c00:2::/80"}),
            node("gateway", kGateway, "10.0.0.1:51820", {"fdaa:0:1:a7b:200::/80"})};
  return s;
}

TEST(HostNetworkPlan, RoutesAndIsolatesTheOrgsOfItsMachinesAndPeersWithTheMesh) {
  auto plan = plan_host_network(state());
  EXPECT_TRUE(plan.skipped.empty());
  // A machine that is to be destroyed keeps its org neither routed nor let through; network 0
  // (the proxies' addresses) is routed into the mesh, and isolated from nothing.
  EXPECT_EQ(plan.node.routed, (std::set<std::uint32_t>{0, 1, 2}));
  EXPECT_EQ(plan.node.isolation, (std::set<std::uint32_t>{1, 2}));
  ASSERT_EQ(plan.node.peers.size(), 2u);
  EXPECT_EQ(plan.node.peers[0],
            (net::DesiredPeer{
                kOther, {"fdaa:0:1:c00:2::/80"}, "10.0.0.3:51820", net::kMeshKeepaliveSeconds}));
  EXPECT_EQ(plan.node.peers[1].public_key, kGateway);
}

TEST(HostNetworkPlan, NoMachinesMeansNoOrgAndEveryPeerStill) {
  auto s = state();
  s.machines.clear();
  auto plan = plan_host_network(s);
  EXPECT_EQ(plan.node.routed, (std::set<std::uint32_t>{0}));
  EXPECT_TRUE(plan.node.isolation.empty());
  EXPECT_EQ(plan.node.peers.size(), 2u);
}

TEST(HostNetworkPlan, TheProxyReachesTheDeclaredPortsOfLocalMachinesAndHearsBackOnItsAddress) {
  auto s = state();
  s.machines[0].private_ip = "fdaa:0:1:c00:1:0:1:2";
  api::MachineService web;
  web.internal_port = 8080;
  web.ports = {api::ServicePort{80, false}};
  api::MachineService db = web;
  db.internal_port = 5432;
  s.machines[0].config.services = {web, db};
  s.machines[3].private_ip = "fdaa:0:7:c00:1:0:2:2";  // destroyed: not a backend any more
  s.machines[3].config.services = {web};
  auto plan = plan_host_network(s);
  const auto address = *core::Ipv6::parse("fdaa:0:1:c00:1:0:1:2");
  EXPECT_EQ(plan.node.proxy.backends,
            (std::set<std::pair<core::Ipv6, std::uint16_t>>{{address, 5432}, {address, 8080}}));
  EXPECT_EQ(plan.node.proxy.own_address, core::proxy_address(kSelfId));
}

TEST(HostNetworkPlan, UnsafeMeshNodesAreLeftOutAndSaid) {
  auto s = state();
  s.mesh.push_back(node("host", kSelf, "10.0.0.2:51820", {"fdaa:0:1:c00:9::/80"}));   // itself
  s.mesh.push_back(node("host", kOther, "10.0.0.4:51820", {"fdaa:0:1:c00:4::/80"}));  // twice
  s.mesh.push_back(node("host", "bad", "10.0.0.5:51820", {"fdaa:0:1:c00:5::/80"}));
  s.mesh.push_back(node("host", "Vb6nBj5mFfIHQtB0SWQZMnl1sF79ySvmvGd2CpAnEnM=", "10.0.0.6:51820",
                        {"fdaa:0:2:c00:1::/80"}));  // claims this host's own slice of org 2
  s.mesh.push_back(node("host", "Zq4ncfs4mD0kO3eIdZf9Vg7IqvXnLYAz3M3u8nNCC2k=", "10.0.0.7:51820",
                        {"fdaa:0:1::/48"}));  // a whole org
  auto plan = plan_host_network(s);
  EXPECT_EQ(plan.skipped.size(), 5u);
  EXPECT_EQ(plan.node.peers.size(), 2u);
}

TEST(HostNetworkPlan, SyncsWhenAskedToCheckFirstOrChangedOnly) {
  const auto applied = plan_host_network(state()).node;
  // A state that changes only a machine's DNS data (here: a started one stopped) plans the same.
  auto dns_only = state();
  dns_only.machines[0].desired = "stopped";
  EXPECT_FALSE(network_needs_sync(applied, plan_host_network(dns_only).node, false));
  EXPECT_TRUE(network_needs_sync(applied, plan_host_network(dns_only).node, true));
  EXPECT_TRUE(network_needs_sync(std::nullopt, applied, false));  // nothing applied yet
  auto new_org = state();
  new_org.machines.push_back(machine(9, "started"));
  EXPECT_TRUE(network_needs_sync(applied, plan_host_network(new_org).node, false));
  auto widened = state();
  widened.mesh[0].allowed_ips.push_back("fdaa:0:9:c00:2::/80");
  EXPECT_TRUE(network_needs_sync(applied, plan_host_network(widened).node, false));
}

TEST(HostNetwork, DoesNothingBeforeStart) {
  HostNetwork network(HostNetworkOptions{"sixpn-unit1", 51820}, core::PrivateKey::generate(), {});
  EXPECT_THROW(network.apply(state()), net::CommandError);
  network.stop();  // idempotent, and touches nothing that was never set up
}

}  // namespace
}  // namespace sixpn::host
