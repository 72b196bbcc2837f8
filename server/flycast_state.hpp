#pragma once
// Flycast services from the store's rows: every Flycast address, and for each port its app's
// machines declare in config.services[].ports, those machines. The proxies of hosts (through
// their desired state) and the gateway's proxy are fed from this.
#include <cstdint>
#include <set>
#include <vector>

#include "api/flycast_types.hpp"
#include "server/store/store.hpp"

namespace sixpn::server {

// In the order of the addresses' allocation, then by port; backends in machine order. An
// address whose app has no machine with a service yields nothing (it waits for one).
std::vector<api::FlycastService> flycast_services(const store::NetworkView& view);

// Those whose address is on one of `networks`: what the nodes of those orgs may reach.
std::vector<api::FlycastService> flycast_services_on(std::vector<api::FlycastService> services,
                                                     const std::set<std::uint32_t>& networks);

// Whether a proxy serving `services` may start this machine: one of them has it as a backend
// whose service allows autostart.
bool proxy_may_start(const std::vector<api::FlycastService>& services, const std::string& app,
                     const std::string& machine_id);

// Starts a stopped machine for a proxy (the gateway's, in-process; a host's, through
// POST /v1/hosts/self/proxy/start). A machine meant to run already is left as it is.
void start_for_proxy(store::Store& store, const std::string& app, const std::string& machine_id);

}  // namespace sixpn::server
