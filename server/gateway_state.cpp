#include "server/gateway_state.hpp"

#include "server/host_state.hpp"

namespace sixpn::server {

net::DesiredState gateway_desired_state(store::Store& store) {
  net::DesiredState state;
  for (const auto& [network, zone] : store.dns_snapshot().by_network)
    state.networks.insert(network);
  for (const auto& peer : store.all_peers()) {
    state.networks.insert(peer.network_id);
    state.peers.push_back(net::DesiredPeer{peer.pubkey, peer.peer_ip});
  }
  return state;
}

std::vector<api::MeshNode> gateway_mesh_hosts(store::Store& store) {
  std::vector<api::MeshNode> out;
  for (const auto& h : store.live_hosts()) out.push_back(host_mesh_node(h));
  return out;
}

}  // namespace sixpn::server
