#include "server/gateway_flycast.hpp"

#include "server/flycast_state.hpp"

namespace sixpn::server {

proxy::ProxyConfig gateway_proxy_config(const store::NetworkView& view,
                                        const RegionCatalog& regions) {
  std::vector<api::DnsRegion> positions;
  for (const auto& r : regions.all()) {
    positions.push_back(api::DnsRegion{r.region.code, r.region.latitude, r.region.longitude});
  }
  auto config = host::proxy_config(flycast_services(view), "*", positions, {});
  for (const auto& peer : view.peers) {
    config.clients.peers[core::network_of(peer.address, 120)] = peer.region;
  }
  for (const auto& m : view.machines) {
    config.clients.machines[core::network_of(m.address, 112)] = m.region;
  }
  return config;
}

GatewayFlycast::GatewayFlycast(store::Store& store, const RegionCatalog& regions,
                               proxy::ProxyOptions options,
                               std::function<void(const std::string&)> log)
    : store_(store), regions_(regions), flycast_(std::move(options), std::move(log)) {}

void GatewayFlycast::sync(bool full) {
  flycast_.apply(gateway_proxy_config(store_.network_view(), regions_),
                 core::proxy_address(core::kGatewayProxyHost), full);
}

}  // namespace sixpn::server
