#pragma once
// A node's Flycast proxy, fed from a desired state: the services its proxy serves
// (proxy::ProxyConfig, from api::FlycastService), the addresses it needs on lo (every Flycast
// address it serves, and its own proxy address), and the runner that keeps both. `sixpnd host`
// runs one from its host state; the control plane's gateway runs one from its store.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/flycast_types.hpp"
#include "api/host_types.hpp"
#include "net/local_addresses.hpp"
#include "proxy/flycast_proxy.hpp"

namespace sixpn::host {

// The proxy's configuration: every service with a valid address and its backends (one with an
// address that does not parse is left out), the node's region, the regions' positions, and the
// regions of the clients it may see (the orgs' peers and machines).
proxy::ProxyConfig proxy_config(const std::vector<api::FlycastService>& services,
                                const std::string& node_region,
                                const std::vector<api::DnsRegion>& regions,
                                const std::vector<api::DnsOrg>& orgs);

// The /128s the node's proxy needs on lo: its own address and every service's address.
std::set<core::Ipv6> flycast_local_addresses(const proxy::ProxyConfig& config,
                                             const core::Ipv6& proxy_address);

// The proxy and its addresses, for one node. Nothing happens on the system before the first
// apply(); the destructor takes away the addresses it added and closes every connection.
class NodeFlycast {
 public:
  NodeFlycast(proxy::ProxyOptions options, std::function<void(const std::string&)> log);
  ~NodeFlycast();
  NodeFlycast(const NodeFlycast&) = delete;
  NodeFlycast& operator=(const NodeFlycast&) = delete;

  // Hands the services to the proxy (started on the first call, with `proxy_address` as its
  // source) and puts the addresses on lo. With `check` false and the services unchanged, lo is
  // not read (the periodic pass checks it and puts back what was removed by hand). Throws
  // net::CommandError when ip(8) fails; the proxy has the services by then.
  void apply(const proxy::ProxyConfig& config, const core::Ipv6& proxy_address, bool check);
  // How the proxy asks for a machine's start; before the first apply().
  void set_machine_starter(std::function<void(const api::ProxyStart&)> start);
  // Closes every connection and the listeners, and removes the addresses it added.
  void stop();
  api::ProxyReport report() const;

 private:
  proxy::ProxyOptions options_;
  std::function<void(const std::string&)> log_;
  mutable std::mutex mutex_;
  net::LocalAddresses addresses_;
  std::unique_ptr<proxy::FlycastProxy> proxy_;
  std::optional<proxy::ProxyConfig> last_;
};

}  // namespace sixpn::host
