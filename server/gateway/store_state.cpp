#include "server/gateway/store_state.hpp"

namespace sixpn::server::gateway {

DesiredState desired_state(store::Store& store) {
  DesiredState state;
  for (const auto& [network, zone] : store.dns_snapshot().by_network)
    state.networks.insert(network);
  for (const auto& peer : store.all_peers()) {
    state.networks.insert(peer.network_id);
    state.peers.push_back(DesiredPeer{peer.pubkey, peer.peer_ip});
  }
  return state;
}

}  // namespace sixpn::server::gateway
