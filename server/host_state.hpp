#pragma once
// A host's desired state (GET /v1/hosts/self/state) as a pure function of store records, so
// what a host is told is unit-tested without a server: its machines, the mesh of every other
// live node with the prefixes it serves, the .internal data of its orgs, and the regions.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/host_types.hpp"
#include "dns/snapshot.hpp"
#include "server/store/store.hpp"

namespace sixpn::server {

// The WireGuard gateway of `sixpnd serve`, when it runs one.
struct GatewayMeshNode {
  std::string pubkey;
  std::string endpoint;  // "IP:PORT", as --gateway-endpoint says
  // (org network, gateway host id) of every WireGuard peer: the /80s behind the gateway.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> peer_prefixes;
};

struct HostStateInputs {
  std::uint64_t version = 0;
  store::HostRecord host;
  std::vector<store::MachineRecord> machines;  // store.host_machines(host.id)
  std::vector<store::HostRecord> live_hosts;   // store.live_hosts(); the host itself is skipped
  std::optional<GatewayMeshNode> gateway;
  dns::Snapshot dns;  // dns_snapshot(store.network_view(), regions)
  std::vector<api::FlycastService> flycast;  // flycast_services(the same view)
};

api::HostState build_host_state(const HostStateInputs& in);

// The host as the API shows it.
api::Host to_api_host(const store::HostRecord& host);
// fdaa:<org>:<host id>::/80 for each org network with a machine on the host: what it serves.
// (A host's node in the mesh also carries its proxy's address: host_mesh_node.)
std::vector<std::string> host_allowed_ips(const store::HostRecord& host);
// The host as a node of the mesh: its /80s and its Flycast proxy's address (/128).
api::MeshNode host_mesh_node(const store::HostRecord& host);
// core::proxy_address(node_host) as a /128: the allowed IP that brings a proxy's replies back to its node.
std::string proxy_allowed_ip(std::uint32_t node_host);
// (network, host) pairs of every peer, for GatewayMeshNode::peer_prefixes.
std::vector<std::pair<std::uint32_t, std::uint32_t>> peer_prefixes(
    const std::vector<store::GatewayPeer>& peers);

}  // namespace sixpn::server
