#include "host/host_flycast.hpp"

namespace sixpn::host {

proxy::ProxyConfig proxy_config(const std::vector<api::FlycastService>& services,
                                const std::string& node_region,
                                const std::vector<api::DnsRegion>& regions,
                                const std::vector<api::DnsOrg>& orgs) {
  proxy::ProxyConfig out;
  out.region = node_region;
  for (const auto& r : regions) out.regions[r.code] = core::GeoPoint{r.latitude, r.longitude};
  for (const auto& org : orgs) {
    for (const auto& peer : org.peers) {
      if (auto a = core::Ipv6::parse(peer.address)) {
        out.clients.peers[core::network_of(*a, 120)] = peer.region;
      }
    }
    for (const auto& m : org.machines) {
      if (auto a = core::Ipv6::parse(m.address)) {
        out.clients.machines[core::network_of(*a, 112)] = m.region;
      }
    }
  }
  for (const auto& s : services) {
    auto address = core::Ipv6::parse(s.address);
    if (!address || s.port < 1 || s.port > 65535) continue;
    proxy::Service service;
    service.address = *address;
    service.port = static_cast<std::uint16_t>(s.port);
    service.app = s.app;
    for (const auto& b : s.backends) {
      auto backend_address = core::Ipv6::parse(b.address);
      if (!backend_address || b.internal_port < 1 || b.internal_port > 65535) continue;
      proxy::Backend backend;
      backend.machine_id = b.machine_id;
      backend.region = b.region;
      backend.address = *backend_address;
      backend.port = static_cast<std::uint16_t>(b.internal_port);
      backend.started = b.started;
      backend.soft_limit = b.soft_limit;
      backend.hard_limit = b.hard_limit;
      backend.autostart = b.autostart;
      backend.autostop = b.autostop;
      service.backends.push_back(std::move(backend));
    }
    out.services.push_back(std::move(service));
  }
  return out;
}

std::set<core::Ipv6> flycast_local_addresses(const proxy::ProxyConfig& config,
                                             const core::Ipv6& proxy_address) {
  std::set<core::Ipv6> out{proxy_address};
  for (const auto& s : config.services) out.insert(s.address);
  return out;
}

NodeFlycast::NodeFlycast(proxy::ProxyOptions options, std::function<void(const std::string&)> log)
    : options_(std::move(options)), log_(log), addresses_("lo", log) {
  if (!options_.log) options_.log = log;
}

NodeFlycast::~NodeFlycast() { stop(); }

void NodeFlycast::set_machine_starter(std::function<void(const api::ProxyStart&)> start) {
  std::lock_guard lock(mutex_);
  options_.start_machine = [start = std::move(start)](const std::string& app,
                                                      const std::string& machine_id) {
    start(api::ProxyStart{app, machine_id});
  };
}

void NodeFlycast::stop() {
  std::lock_guard lock(mutex_);
  proxy_.reset();  // connections first, then the addresses they were on
  last_.reset();
  if (auto problem = addresses_.remove_all(); !problem.empty() && log_) log_(problem);
}

void NodeFlycast::apply(const proxy::ProxyConfig& config, const core::Ipv6& proxy_address,
                        bool check) {
  std::lock_guard lock(mutex_);
  if (!proxy_) {
    auto options = options_;
    options.source = proxy_address;
    proxy_ = std::make_unique<proxy::FlycastProxy>(std::move(options));
  }
  const bool changed = !last_ || *last_ != config;
  if (changed) {
    proxy_->update(config);
    last_ = config;
  }
  if (changed || check) addresses_.sync(flycast_local_addresses(config, proxy_address));
}

api::ProxyReport NodeFlycast::report() const {
  api::ProxyReport out;
  std::lock_guard lock(mutex_);
  if (!proxy_) return out;
  for (const auto& c : proxy_->counters()) {
    api::FlycastCounters s;
    s.address = c.address.str();
    s.port = c.port;
    s.app = c.app;
    s.connections = c.connections;
    s.active = c.active;
    s.refused = c.refused;
    s.autostarts = c.autostarts;
    s.listening = c.listening;
    s.listen_problem = c.listen_problem;
    for (const auto& b : c.backends) {
      s.backends.push_back(api::FlycastBackendCounters{b.machine_id, b.active, b.connections,
                                                       b.refusals});
    }
    out.services.push_back(std::move(s));
  }
  return out;
}

}  // namespace sixpn::host
