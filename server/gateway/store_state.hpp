#pragma once
// The gateway's view of the store: every org network and every WireGuard peer.
#include "server/gateway/gateway.hpp"
#include "server/store/store.hpp"

namespace sixpn::server::gateway {

// Every org, not only those with peers: the isolation table must also let the machines of an
// org without peers talk to each other through the gateway.
DesiredState desired_state(store::Store& store);

}  // namespace sixpn::server::gateway
