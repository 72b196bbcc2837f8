#include "server/gateway_state.hpp"

#include "server/host_state.hpp"

namespace sixpn::server {

net::DesiredState gateway_desired_state(store::Store& store, const std::string& gateway_pubkey) {
  net::DesiredState state;
  for (const auto& org : store.network_view().orgs) state.networks.insert(org.network_id);
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
