#include "server/gateway_state.hpp"

#include "server/host_state.hpp"

namespace sixpn::server {

net::DesiredState gateway_desired_state(store::Store& store, const std::string& gateway_pubkey) {
  net::DesiredState state;
  const auto view = store.network_view();
  for (const auto& org : view.orgs) state.networks.insert(org.network_id);
  // Every machine's service ports: a proxy's connection is only ever forwarded by the node the
  // machine is behind, so the ports of machines elsewhere are never matched here.
  state.proxy.own_address = core::proxy_address(core::kGatewayProxyHost);
  for (const auto& m : view.machines) {
    for (const auto& service : m.services) {
      state.proxy.backends.emplace(m.address, static_cast<std::uint16_t>(service.internal_port));
    }
  }
  for (const auto& peer : store.all_peers()) {
    state.networks.insert(peer.network_id);
    state.peers.push_back(net::LaptopPeer{peer.pubkey, peer.peer_ip});
  }
  // The mesh: every live host, so laptops reach machines on every host.
  add_mesh_peers(state, gateway_mesh_hosts(store, gateway_pubkey));
  return state;
}

void add_mesh_peers(net::DesiredState& state, const std::vector<api::MeshNode>& nodes) {
  for (const auto& node : nodes) {
    state.mesh.push_back(net::mesh_peer(node.pubkey, node.endpoint, node.allowed_ips));
  }
}

std::vector<api::MeshNode> gateway_mesh_hosts(store::Store& store,
                                              const std::string& gateway_pubkey) {
  std::vector<api::MeshNode> out;
  for (const auto& h : store.live_hosts()) {
    if (h.pubkey != gateway_pubkey) out.push_back(host_mesh_node(h));
  }
  return out;
}

}  // namespace sixpn::server
