#include "server/host_state.hpp"

#include <gtest/gtest.h>

namespace sixpn::server {
namespace {

store::HostRecord host(std::uint32_t id, std::vector<std::uint32_t> networks) {
  store::HostRecord h;
  h.id = id;
  h.name = "h" + std::to_string(id);
  h.region = "fra";
  h.pubkey = "key" + std::to_string(id);
  h.endpoint = "10.0.0." + std::to_string(id & 0xff) + ":51821";
  h.live = true;
  h.networks = std::move(networks);
  return h;
}

TEST(HostState, TheMeshHasEveryOtherLiveHostWithTheSlash80sItServesAndItsProxyAddress) {
  HostStateInputs in;
  in.host = host(0x0c000001, {1});
  in.live_hosts = {in.host, host(0x0c000002, {1, 7})};
  auto state = build_host_state(in);
  ASSERT_EQ(state.mesh.size(), 1u);
  EXPECT_EQ(state.mesh[0].kind, "host");
  EXPECT_EQ(state.mesh[0].id, 0x0c000002u);
  EXPECT_EQ(state.mesh[0].allowed_ips,
            (std::vector<std::string>{"fdaa:0:1:c00:2::/80", "fdaa:0:7:c00:2::/80",
                                      "fdaa::c00:2:0:0:1/128"}));
}

TEST(HostState, TheGatewayServesItsPeersHostIdsAndItsProxyAddress) {
  HostStateInputs in;
  in.host = host(0x0c000001, {});
  in.gateway = GatewayMeshNode{"gwkey", "192.0.2.1:51820", {{1, 0x0a7b0200}}};
  auto state = build_host_state(in);
  ASSERT_EQ(state.mesh.size(), 1u);
  EXPECT_EQ(state.mesh[0].kind, "gateway");
  EXPECT_EQ(state.mesh[0].allowed_ips,
            (std::vector<std::string>{"fdaa:0:1:a7b:200::/80", "fdaa::1:0:0:1/128"}));
}

TEST(HostState, TheEmbeddedHostsSlicesAreServedByTheGatewayNode) {
  HostStateInputs in;
  in.host = host(0x0c000001, {1});
  auto embedded = host(0x0c000002, {1, 7});
  embedded.pubkey = "gwkey";
  embedded.region = "*";
  in.live_hosts = {in.host, embedded};
  in.gateway = GatewayMeshNode{"gwkey", "192.0.2.1:51820", {{1, 0x0a7b0200}}};
  auto state = build_host_state(in);
  ASSERT_EQ(state.mesh.size(), 1u);
  EXPECT_EQ(state.mesh[0].kind, "gateway");
  EXPECT_EQ(state.mesh[0].allowed_ips,
            (std::vector<std::string>{"fdaa:0:1:a7b:200::/80", "fdaa:0:1:c00:2::/80",
                                      "fdaa:0:7:c00:2::/80", "fdaa::1:0:0:1/128"}));
}

TEST(HostState, TheEmbeddedHostHasNoGatewayPeerButEveryOtherHost) {
  HostStateInputs in;
  in.host = host(0x0c000002, {1});
  in.host.pubkey = "gwkey";
  in.live_hosts = {in.host, host(0x0c000003, {1})};
  in.gateway = GatewayMeshNode{"gwkey", "192.0.2.1:51820", {}};
  auto state = build_host_state(in);
  ASSERT_EQ(state.mesh.size(), 1u);
  EXPECT_EQ(state.mesh[0].id, 0x0c000003u);
}

TEST(HostState, DnsCoversOnlyTheOrgsOfItsMachines) {
  HostStateInputs in;
  in.host = host(0x0c000001, {2});
  store::MachineRecord m;
  m.id = "0123456789abcd";
  m.network_id = 2;
  m.desired = store::MachineState::Started;
  m.generation = 4;
  in.machines = {m};
  in.dns.by_network[1].slug = "other";
  in.dns.by_network[2].slug = "mine";
  in.dns.regions["fra"] = dns::RegionInfo{"fra", 50.1, 8.6};
  auto state = build_host_state(in);
  ASSERT_EQ(state.machines.size(), 1u);
  EXPECT_EQ(state.machines[0].desired, "started");
  EXPECT_EQ(state.machines[0].generation, 4u);
  ASSERT_EQ(state.dns.size(), 1u);
  EXPECT_EQ(state.dns[0].slug, "mine");
  ASSERT_EQ(state.regions.size(), 1u);
  EXPECT_EQ(state.regions[0].code, "fra");
}

TEST(HostState, PeerPrefixesAreOnePerOrgAndGatewayHost) {
  store::GatewayPeer a, b, c;
  a.network_id = b.network_id = 1;
  c.network_id = 2;
  a.peer_ip = core::peer_address(1, 0x0a7b0200, 0);
  b.peer_ip = core::peer_address(1, 0x0a7b0200, 1);
  c.peer_ip = core::peer_address(2, 0x0a7b0201, 0);
  auto prefixes = peer_prefixes({a, b, c});
  EXPECT_EQ(prefixes, (std::vector<std::pair<std::uint32_t, std::uint32_t>>{
                          {1, 0x0a7b0200}, {2, 0x0a7b0201}}));
}

TEST(HostState, AStoppedMachineCarriesItsStopRequestOverItsConfig) {
  HostStateInputs in;
  in.host = host(0x0c000001, {2});
  store::MachineRecord m;
  m.id = "0123456789abcd";
  m.network_id = 2;
  m.config.stop_config = {"SIGINT", 30};
  m.desired = store::MachineState::Stopped;
  m.stop_request.signal = "SIGTERM";
  store::MachineRecord plain = m;
  plain.id = "0123456789abce";
  plain.stop_request = {};
  in.machines = {m, plain};
  auto state = build_host_state(in);
  ASSERT_EQ(state.machines.size(), 2u);
  ASSERT_TRUE(state.machines[0].stop);
  EXPECT_EQ(state.machines[0].stop->signal, "SIGTERM");
  EXPECT_EQ(state.machines[0].stop->timeout_seconds, 30)
      << "the config's timeout where none is given";
  EXPECT_FALSE(state.machines[1].stop);
}

}  // namespace
}  // namespace sixpn::server
