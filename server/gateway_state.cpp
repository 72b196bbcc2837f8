#include "server/gateway_state.hpp"

namespace sixpn::server {

net::DesiredState gateway_desired_state(store::Store& store) {
  net::DesiredState state;
  for (const auto& org : store.network_view().orgs) state.networks.insert(org.network_id);
  for (const auto& peer : store.all_peers()) {
    state.networks.insert(peer.network_id);
    state.peers.push_back(net::LaptopPeer{peer.pubkey, peer.peer_ip});
  }
  return state;
}

}  // namespace sixpn::server
