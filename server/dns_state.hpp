#pragma once
// The .internal DNS server's view of the store. The DNS server itself (dns/) knows nothing of
// the store; the control plane feeds it through this, as gateway_state does for the gateway.
#include <memory>

#include "dns/service.hpp"
#include "dns/snapshot.hpp"
#include "server/regions.hpp"
#include "server/store/store.hpp"

namespace sixpn::server {

// Each org's zone from the store's rows: its own apps, then every other org's app that has a
// Flycast address on its network (answering only <app>.flycast there); with every region, for
// top<N>.nearest.
dns::Snapshot dns_snapshot(const store::NetworkView& view, const RegionCatalog& regions);

// The DNS service as `sixpnd serve` runs it: answers from the store's data, rebuilt after every
// change the store commits.
class StoreDnsService {
 public:
  // Builds the first snapshot, binds and starts serving, then listens to the store's changes.
  // Throws std::system_error when a listener cannot be bound.
  StoreDnsService(dns::ServerOptions options, store::Store& store, RegionCatalog regions);
  ~StoreDnsService();
  StoreDnsService(const StoreDnsService&) = delete;
  StoreDnsService& operator=(const StoreDnsService&) = delete;

 private:
  struct Hook;
  // The store keeps its listener for as long as it lives; the listener reaches the service
  // through this, which the destructor empties first.
  std::shared_ptr<Hook> hook_;
  dns::DnsService service_;
};

}  // namespace sixpn::server
