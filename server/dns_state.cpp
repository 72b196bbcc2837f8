#include "server/dns_state.hpp"

#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace sixpn::server {

dns::Snapshot dns_snapshot(const store::NetworkView& view, const RegionCatalog& regions) {
  dns::Snapshot snap;
  snap.version = view.version;
  for (const auto& org : view.orgs) {
    auto& zone = snap.by_network[org.network_id];
    zone.slug = org.slug;
    zone.network_id = org.network_id;
  }

  std::map<std::pair<std::uint32_t, std::string>, std::size_t> app_index;
  // `in_org` only matters when the entry is new: every org's own apps are added first, so an
  // entry first made by the Flycast loop below is another org's app.
  auto app_in = [&](std::uint32_t network, const std::string& name, bool in_org) -> dns::AppInfo& {
    auto& apps = snap.by_network[network].apps;
    auto [it, fresh] = app_index.try_emplace({network, name}, apps.size());
    if (fresh) apps.push_back(dns::AppInfo{name, {}, in_org});
    return apps[it->second];
  };
  for (const auto& app : view.apps) app_in(app.network_id, app.name, true);
  // An app exposed to another org appears in that org's zone through its Flycast address there.
  for (const auto& f : view.flycast) {
    app_in(f.network_id, f.app, false).flycast.push_back(f.address);
  }

  for (const auto& m : view.machines) {
    snap.by_network[m.network_id].machines.push_back(
        dns::MachineInfo{m.id, m.app, m.region, m.process_group, m.metadata, m.address, m.started});
  }
  for (const auto& p : view.peers) {
    snap.by_network[p.network_id].peers.push_back(dns::PeerInfo{p.name, p.region, p.address});
  }
  for (const auto& r : regions.all()) {
    snap.regions[r.region.code] =
        dns::RegionInfo{r.region.code, r.region.latitude, r.region.longitude};
  }
  return snap;
}

struct StoreDnsService::Hook {
  std::mutex mu;
  dns::DnsService* service = nullptr;
};

StoreDnsService::StoreDnsService(dns::ServerOptions options, store::Store& store,
                                 RegionCatalog regions)
    : hook_(std::make_shared<Hook>()),
      service_(std::move(options), [&store, regions = std::move(regions)] {
        return dns_snapshot(store.network_view(), regions);
      }) {
  hook_->service = &service_;
  store.add_change_listener([hook = hook_] {
    std::lock_guard lock(hook->mu);
    if (hook->service) hook->service->notify();
  });
}

StoreDnsService::~StoreDnsService() {
  std::lock_guard lock(hook_->mu);
  hook_->service = nullptr;
}

}  // namespace sixpn::server
