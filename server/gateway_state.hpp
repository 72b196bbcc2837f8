#pragma once
// The gateway's view of the store: every org network and every WireGuard peer. The gateway
// itself (net/) knows nothing of the store; the control plane feeds it through this.
#include <vector>

#include "api/host_types.hpp"
#include "net/gateway.hpp"
#include "server/store/store.hpp"

namespace sixpn::server {

// Every org, not only those with peers: the isolation table must also let the machines of an
// org without peers talk to each other through the gateway. `gateway_pubkey` is the gateway's
// own key (store.gateway_key(), read once at start).
net::DesiredState gateway_desired_state(store::Store& store, const std::string& gateway_pubkey);

// The mesh nodes (the live hosts) as the gateway's mesh peers: each dialled at its endpoint,
// allowed exactly its allowed_ips (its /80s), kept alive.
void add_mesh_peers(net::DesiredState& state, const std::vector<api::MeshNode>& nodes);

// Every live host as a mesh node (public key, endpoint, the /80s it serves), for the gateway
// to peer with hosts — but the embedded host of `sixpnd serve --host`, whose key is the
// gateway's: its machines sit beside the gateway, routed to their veths.
std::vector<api::MeshNode> gateway_mesh_hosts(store::Store& store,
                                              const std::string& gateway_pubkey);

}  // namespace sixpn::server
