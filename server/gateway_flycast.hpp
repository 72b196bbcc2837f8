#pragma once
// The gateway's Flycast proxy: every org's services, for the laptops behind the gateway and
// the machines of the embedded host beside it. It runs on the gateway's thread, right after
// each sync of the interface (GatewayOptions::after_sync), from the store's rows.
#include <functional>
#include <string>

#include "host/host_flycast.hpp"
#include "server/regions.hpp"
#include "server/store/store.hpp"

namespace sixpn::server {

// The gateway's proxy configuration: every service, region "*" (each client's region comes
// from its peer or machine), every region's position.
proxy::ProxyConfig gateway_proxy_config(const store::NetworkView& view,
                                        const RegionCatalog& regions);

class GatewayFlycast {
 public:
  GatewayFlycast(store::Store& store, const RegionCatalog& regions, proxy::ProxyOptions options,
                 std::function<void(const std::string&)> log);
  // Reads the store and brings the proxy and its addresses to it. Throws net::CommandError.
  void sync(bool full);
  void stop() { flycast_.stop(); }
  api::ProxyReport report() const { return flycast_.report(); }

 private:
  store::Store& store_;
  const RegionCatalog& regions_;
  host::NodeFlycast flycast_;
};

}  // namespace sixpn::server
